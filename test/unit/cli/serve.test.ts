/**
 * `prescale serve` as a user starts it (the built CLI): the Prometheus URL's credentials are
 * never shown (status, log), and --host picks the listen address. No engine is needed: with
 * DOCKER_HOST pointing nowhere the service runs and holds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getJson, serve, until } from '../../support/serve.js';

test('serve shows the Prometheus URL without its credentials and listens on --host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-serve-'));
  const s = await serve(
    [
      '--host',
      '127.0.0.1',
      '--prometheus',
      'http://admin:hunter2@127.0.0.1:9',
      '--state-dir',
      join(dir, 'state'),
      '--models',
      join(dir, 'no-models'),
    ],
    { env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}`, PRESCALE_API_TOKEN: undefined } },
  );
  try {
    const status = await until(s, '/v1/status', () => getJson<Record<string, unknown>>(`${s.url}/v1/status`));
    assert.equal(status.source, 'http://***:***@127.0.0.1:9');
    await until(s, 'a cycle', async () => (/cycle done/.test(s.output()) ? true : undefined));
    assert.match(s.output(), /prescale serving on http:\/\/127\.0\.0\.1:\d+/);
    assert.doesNotMatch(JSON.stringify(status) + s.output(), /hunter2/);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

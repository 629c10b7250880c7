import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { cronArg, dirArg, hostArg, nonEmptyArg, prometheusAuthOf } from '../../../src/cli/options.js';

const refused = (fn: () => unknown, msg: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && msg.test(e.message));

test('cronArg takes what node-cron runs and refuses the rest', () => {
  assert.equal(cronArg('*/5 * * * *'), '*/5 * * * *');
  refused(() => cronArg('nope'), /not a cron expression/);
  refused(() => cronArg(''), /not a cron expression/);
});

test('dirArg takes a directory or a new path, not a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-opt-'));
  const file = join(dir, 'f');
  writeFileSync(file, '');
  assert.equal(dirArg(dir), dir);
  assert.equal(dirArg(join(dir, 'new')), join(dir, 'new'));
  refused(() => dirArg(file), /exists and is not a directory/);
  refused(() => dirArg(''), /empty path/);
});

test('hostArg takes addresses and host names', () => {
  for (const h of ['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'prescale.internal']) assert.equal(hostArg(h), h);
  for (const h of ['', 'http://x', 'a b', '-x']) refused(() => hostArg(h), /not an IP address or host name/);
});

test('nonEmptyArg refuses an empty value', () => {
  assert.equal(nonEmptyArg('models'), 'models');
  refused(() => nonEmptyArg(''), /empty/);
  refused(() => nonEmptyArg('  '), /empty/);
});

test('prometheusAuthOf reads the token file named by the flag before the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-opt-'));
  const token = join(dir, 'token');
  writeFileSync(token, 'from-file\n');
  assert.deepEqual(prometheusAuthOf({ prometheusTokenFile: token }, { PRESCALE_PROMETHEUS_TOKEN: 'from-env' }), {
    kind: 'bearer',
    token: 'from-file',
  });
  assert.deepEqual(prometheusAuthOf({}, { PRESCALE_PROMETHEUS_TOKEN: 'from-env' }), {
    kind: 'bearer',
    token: 'from-env',
  });
  assert.equal(prometheusAuthOf({}, {}), undefined);
});

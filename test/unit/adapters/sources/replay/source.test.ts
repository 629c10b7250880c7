import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReplaySource, SAMPLE_HISTORY, replaySource } from '../../../../../src/adapters/sources/replay/source.js';
import { parseConfig } from '../../../../../src/config/schema.js';
import { isPrescaleError } from '../../../../../src/core/domain/errors.js';
import { silentLogger } from '../../../../../src/observability/logger.js';

test('replay: the file repeats end to end on its own grid, at the step asked for', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-replay-'));
  try {
    const file = join(dir, 'load.csv');
    // a 60 s grid of four rows (the one at 120 is missing and repeats 60's): a 240 s span
    writeFileSync(file, 'timestamp,value\n0,1\n60,2\n180,4\n');
    const s = await new ReplaySource().queryRange(file, 240, 480, 60);
    assert.deepEqual(s.timestamps, [240, 300, 360, 420, 480]);
    assert.deepEqual(s.values, [1, 2, 2, 4, 1]);
    writeFileSync(join(dir, 'one.csv'), 'timestamp,value\n0,1\n');
    await assert.rejects(new ReplaySource().queryRange(join(dir, 'one.csv'), 0, 60, 60), (err) =>
      isPrescaleError(err, 'E_INPUT'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay: the registered source says it replays the embedded sample', async () => {
  const { source, where } = replaySource({ config: parseConfig({}, 'test'), logger: silentLogger() });
  assert.equal(where, `embedded sample ${SAMPLE_HISTORY}`);
  const s = await source.queryRange(SAMPLE_HISTORY, 1_800_000_000, 1_800_003_600, 300);
  assert.equal(s.values.length, 13);
  assert.ok(s.values.every((v) => Number.isFinite(v) && v > 0));
});

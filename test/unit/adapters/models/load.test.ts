import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTrainedModels } from '../../../../src/adapters/models/load.js';
import { readSamplesCsv } from '../../../../src/adapters/sources/csv.js';
import { forecastSeries } from '../../../../src/core/forecast/forecaster.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { toRegular } from '../../../../src/core/series/regular.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

test('trained models under models/ load as lstm:<name> and forecast for a service that names them', async () => {
  const models = await loadTrainedModels(join(ROOT, 'models'), silentLogger());
  assert.deepEqual(
    models.map((m) => m.name),
    ['lstm:sample-web'],
  );
  const series = toRegular(readSamplesCsv(join(ROOT, 'data', 'sample-web.csv')));
  const fc = forecastSeries(series, 12, { model: 'lstm:sample-web', extraModels: models });
  assert.equal(fc.model, 'lstm:sample-web');
  assert.equal(fc.p50.length, 12);
  assert.ok(fc.p50.every((v, i) => Number.isFinite(v) && fc.p90[i] >= v));
});

test('a broken model directory is skipped, not fatal; no directory means no models', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-models-'));
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'metadata.json'), '{"format":"something else"}');
  assert.deepEqual(await loadTrainedModels(dir, silentLogger()), []);
  assert.deepEqual(await loadTrainedModels(join(dir, 'absent'), silentLogger()), []);
});

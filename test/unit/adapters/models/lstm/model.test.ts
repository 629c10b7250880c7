import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { isPrescaleError } from '../../../../../src/core/domain/errors.js';
import { contextOf, forecastSeries, forecastWith } from '../../../../../src/core/forecast/forecaster.js';
import {
  initBackend,
  loadLstm,
  lstmForecaster,
  saveLstm,
  trainLstm,
  type TrainedLstm,
  type TrainOptions,
} from '../../../../../src/adapters/models/lstm/index.js';

/** Eight days at 30 minutes: a daily wave with deterministic noise (48 samples a day). */
const step = 1800;
const m = 48;
const y = Array.from({ length: 8 * m }, (_, i) => 100 + 40 * Math.sin((2 * Math.PI * i) / m) + ((i * 7919) % 11) - 5);
const ctx = contextOf({ start: 1_700_000_000, step, values: y });
const opts: TrainOptions = { horizon: 6, epochs: 25, seed: 7, validationSplit: 0.2, patience: 25, batchSize: 32 };

let dir: string;
let a: TrainedLstm;
let b: TrainedLstm;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prescale-lstm-'));
  await initBackend();
  a = await trainLstm(y, ctx, opts);
  b = await trainLstm(y, ctx, opts);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  a?.network.dispose();
  b?.network.dispose();
});

const specOf = (t: TrainedLstm) => ({ shape: t.shape, normalisation: t.normalisation, step: t.step });

test('backend: one of the three, chosen once', async () => {
  const info = await initBackend();
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.name), info.name);
  assert.equal(info.tfjsVersion, tf.version.tfjs);
  assert.equal(tf.getBackend(), info.name);
  assert.strictEqual(await initBackend(), info);
});

test('training is reproducible with the same seed', () => {
  const wa = a.network.getWeights().map((w) => Array.from(w.dataSync()));
  const wb = b.network.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(wa, wb, 'identical weights');
  assert.deepEqual(a.training.epochs, b.training.epochs);
  assert.equal(a.training.valLoss, b.training.valLoss);
  const fa = forecastWith(lstmForecaster(a.network, specOf(a)), y, 6, ctx);
  const fb = forecastWith(lstmForecaster(b.network, specOf(b)), y, 6, ctx);
  assert.deepEqual(fa, fb, 'identical forecasts');
});

test('a different seed gives different weights', async () => {
  const c = await trainLstm(y, ctx, { ...opts, epochs: 1, seed: 8 });
  const w0 = (t: TrainedLstm) => Array.from(t.network.getWeights()[0].dataSync());
  assert.notDeepEqual(w0(c), w0(a));
  c.network.dispose();
});

test('save → load gives identical forecasts, and the metadata', async () => {
  const meta = await saveLstm(dir, a, {
    backend: tf.getBackend(),
    validationSplit: 0.2,
    patience: 25,
    source: 'x.csv',
  });
  for (const f of ['model.json', 'weights.bin', 'metadata.json']) assert.ok(readFileSync(join(dir, f)).length > 0, f);
  const onDisk = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(meta)));
  assert.equal(onDisk.data.first, ctx.start);
  assert.equal(onDisk.data.last, ctx.start + (y.length - 1) * step);
  assert.equal(onDisk.data.step, step);
  assert.equal(onDisk.window, 6);
  assert.equal(onDisk.horizon, 6);
  assert.ok(onDisk.normalisation.std > 0 && Number.isFinite(onDisk.normalisation.mean));
  assert.ok(
    onDisk.training.epochs >= 1 && Number.isFinite(onDisk.training.loss) && Number.isFinite(onDisk.training.valLoss),
  );
  assert.ok(Number.isFinite(onDisk.backtest.maseLstm) && Number.isFinite(onDisk.backtest.maseSeasonalNaive));
  assert.equal(onDisk.versions.tfjs, tf.version.tfjs);
  assert.equal(onDisk.backend, tf.getBackend());
  assert.equal(onDisk.seed, 7);
  assert.ok(!Number.isNaN(Date.parse(onDisk.createdAt)));

  const loaded = await loadLstm(dir);
  assert.equal(loaded.name, 'lstm');
  const fresh = lstmForecaster(a.network, specOf(a));
  for (const origin of [loaded.minHistory(ctx), 300, y.length]) {
    const fitted = loaded.fit(y, 12, ctx);
    assert.deepEqual(fitted.predict(y, origin, 12), fresh.fit(y, 12, ctx).predict(y, origin, 12), `origin ${origin}`);
  }
});

test('loaded model keeps the contract', async () => {
  const model = await loadLstm(dir);
  assert.equal(model.minHistory(ctx), 6 + m);
  for (const h of [1, 6, 48, 500]) {
    const out = forecastWith(model, y, h, ctx);
    assert.equal(out.length, h, 'length h');
    assert.ok(out.every(Number.isFinite), 'finite');
    assert.deepEqual(forecastWith(model, y, h, ctx), out, 'deterministic');
  }
  // beyond the trained horizon: the daily season of its own forecast
  const long = forecastWith(model, y, 2 * m + 3, ctx);
  assert.equal(long[m + 2], long[2]);
  // predictions use y[0, origin) only
  const origin = 300;
  const cut = model.fit(y.slice(0, origin), 6, ctx).predict(y.slice(0, origin), origin, 6);
  assert.deepEqual(model.fit(y, 6, ctx).predict(y, origin, 6), cut);
  // another step: refused with E_MODEL (the engine then skips the model)
  assert.throws(
    () => model.fit(y, 6, { ...ctx, step: 60 }),
    (e) => isPrescaleError(e, 'E_MODEL'),
  );
  const fc = forecastSeries({ start: ctx.start, step, values: y }, 6, { model: 'lstm', extraModels: [model] });
  assert.equal(fc.model, 'lstm');
  assert.equal(fc.p50.length, 6);
});

test('forecasts a daily pattern better than the last value', () => {
  const model = lstmForecaster(a.network, specOf(a));
  const fitted = model.fit(y, 6, ctx);
  let errLstm = 0;
  let errNaive = 0;
  // rolling origins over the held-out last day
  for (let o = y.length - m; o <= y.length - 6; o++) {
    const fc = fitted.predict(y, o, 6);
    for (let k = 0; k < 6; k++) {
      errLstm += Math.abs(y[o + k] - fc[k]);
      errNaive += Math.abs(y[o + k] - y[o - 1]);
    }
  }
  assert.ok(errLstm < 0.5 * errNaive, `LSTM ${errLstm.toFixed(0)} vs naive ${errNaive.toFixed(0)}`);
  assert.ok(a.holdout.maseLstm < 1.5, `MASE ${a.holdout.maseLstm}`);
});

test('too short a history or a horizon over a day is refused with E_INPUT', async () => {
  await assert.rejects(trainLstm(y.slice(0, 3 * m), ctx, opts), (e) => isPrescaleError(e, 'E_INPUT'));
  await assert.rejects(trainLstm(y, ctx, { ...opts, horizon: m + 1 }), (e) => isPrescaleError(e, 'E_INPUT'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ForecastNote } from '../../../../src/core/domain/forecast.js';
import { backtestModel } from '../../../../src/core/forecast/backtest.js';
import type { ForecastModel, ModelContext } from '../../../../src/core/forecast/contract.js';
import { contextOf, forecastSeries } from '../../../../src/core/forecast/forecaster.js';
import {
  chooseModels,
  meanAbs,
  originWeights,
  scoreCandidates,
  type Candidate,
  type SelectionSettings,
} from '../../../../src/core/forecast/select.js';

const step = 300;
const ctx: ModelContext = contextOf({ start: 0, step, values: [] });

/** A model that forecasts y[origin − 1] + `bias`, needing `need` samples; it throws with `fails`. */
function offset(name: string, bias: number, need = 1, fails = false): ForecastModel {
  return {
    name,
    minHistory: () => need,
    fit() {
      if (fails) throw new Error('no fit');
      return { predict: (y, origin, h) => new Array<number>(h).fill(y[origin - 1] + bias) };
    },
  };
}

const y = Array.from({ length: 600 }, (_, i) => i % 2);
const origins = [500, 520, 540];

test('candidates are ranked by their backtest MAE, best first', () => {
  const notes: ForecastNote[] = [];
  const ranked = scoreCandidates(
    [offset('far', 3), offset('near', 0.5), offset('mid', 1.5)],
    y,
    origins,
    4,
    ctx,
    notes,
    false,
  );
  assert.deepEqual(
    ranked.map((c) => c.model.name),
    ['near', 'mid', 'far'],
  );
  assert.deepEqual(notes, []);
});

test('a candidate short of history is skipped, said only when it was asked for by name; a failing one is said', () => {
  const models = [offset('long', 0, 10_000), offset('broken', 0, 1, true), offset('ok', 0)];
  const quiet: ForecastNote[] = [];
  assert.deepEqual(
    scoreCandidates(models, y, origins, 4, ctx, quiet, false).map((c) => c.model.name),
    ['ok'],
  );
  assert.deepEqual(quiet, [{ code: 'ModelFailed', message: 'broken failed: no fit' }]);
  const named: ForecastNote[] = [];
  scoreCandidates([models[0]], y, origins, 4, ctx, named, true);
  assert.deepEqual(named, [{ code: 'ModelSkipped', message: 'long needs 10000 samples of history, has 600' }]);
});

test('the mean of the best few is chosen when it beats the best alone on the same backtest', () => {
  // biases of opposite sign cancel in the mean
  const ranked = scoreCandidates(
    [offset('up', 1), offset('down', -1.2), offset('far', 5)],
    y,
    origins,
    4,
    ctx,
    [],
    false,
  );
  const combined = chooseModels(ranked, y);
  assert.deepEqual(
    combined.chosen.map((c) => c.model.name),
    ['down', 'up'],
  );
  assert.ok(meanAbs(combined.residuals!) < meanAbs(ranked[0].run!.residuals));
  // without combination, or when the mean is worse, the best one alone
  assert.deepEqual(
    chooseModels(ranked, y, { combine: 1 }).chosen.map((c) => c.model.name),
    ['down'],
  );
  const same = scoreCandidates([offset('a', 1), offset('b', 2)], y, origins, 4, ctx, [], false);
  const alone = chooseModels(same, y);
  assert.deepEqual(
    alone.chosen.map((c) => c.model.name),
    ['a'],
  );
  assert.deepEqual(alone.residuals, backtestModel(offset('a', 1), y, origins, 4, ctx).residuals);
});

test('nothing to choose from: an empty choice', () => {
  assert.deepEqual(chooseModels([], y), { chosen: [], residuals: undefined });
  assert.equal(meanAbs([]), Infinity);
});

test('auto uses the robust MSTL on a flat baseline with spikes, and a fresh spike does not lift p50', () => {
  // deterministic |N(0, 1)|-like noise on a baseline of 20, and a 60-high spike every 37 samples (3 h 5 min)
  let s = 11;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const values = Array.from(
    { length: 14 * 288 },
    (_, i) => 20 + Math.abs(Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())) + (i % 37 === 0 ? 60 : 0),
  );
  values[values.length - 1] = 200; // a spike at the newest sample
  const fc = forecastSeries({ start: 0, step, values }, 12);
  assert.match(fc.model, /mstl_robust/);
  for (const v of fc.p50) assert.ok(v > 20 && v < 23, `p50 ${v.toFixed(2)} stays at the baseline`);
});

/** A candidate whose backtest forecast at origin i (one step, of a zero series) is fc[i]. */
function made(name: string, fc: readonly number[]): Candidate {
  const residuals = fc.map((v) => [-v]);
  return {
    model: offset(name, 0),
    run: {
      model: name,
      origins: fc.map((_, i) => 4 * i),
      residuals,
      forecasts: fc.map((v) => [v]),
      fitted: { predict: () => [] },
    },
  };
}

test('the mean of the best three stays unless a smaller set beats it by more than z standard errors', () => {
  const zero = new Array<number>(20).fill(0);
  // alone 0.2, the best two 0.219, all three 0.225: lower on average, but by less than the noise
  const noisy = [made('a', [0, 0, 0, 0.8]), made('b', [0.45, 0.45, 0.45, -0.4]), made('c', [0.45, 0.45, 0.45, -0.4])];
  const names = (ranked: Candidate[], settings: SelectionSettings) =>
    chooseModels(ranked, zero, settings).chosen.map((c) => c.model.name);
  assert.deepEqual(names(noisy, { z: 0 }), ['a']);
  assert.deepEqual(names(noisy, { z: 1 }), ['a', 'b', 'c']);
  assert.deepEqual(names(noisy, {}), ['a'], 'by default the lowest backtest error wins');
  // lower at every origin: the best alone, at any finite z
  const clear = [made('a', [0, 0, 0, 0.1]), made('b', [0.45, 0.45, 0.45, 0.5]), made('c', [0.45, 0.45, 0.45, 0.5])];
  assert.deepEqual(names(clear, { z: 1 }), ['a']);
  assert.deepEqual(names(clear, { z: 3 }), ['a']);
  assert.deepEqual(names(clear, { z: Infinity }), ['a', 'b', 'c']);
  assert.deepEqual(names(noisy, { combine: 2, z: 1 }), ['a', 'b']);
  assert.deepEqual(names(noisy, { combine: 1 }), ['a']);
});

test('auto chooses among the candidates it is given, and names an unknown one', () => {
  const values = Array.from({ length: 4 * 288 }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 288));
  const fc = forecastSeries({ start: 0, step, values }, 12, { selection: { candidates: ['seasonal_naive_day'] } });
  assert.equal(fc.model, 'auto:seasonal_naive_day');
  assert.throws(
    () => forecastSeries({ start: 0, step, values }, 12, { selection: { candidates: ['no_such_model'] } }),
    /no_such_model/,
  );
});

test('origin weights: 1 for the newest origin, halved every half-life of age, all 1 without one', () => {
  // origins 12 steps (an hour at 5 minutes) apart, half-life an hour
  assert.deepEqual(originWeights([476, 488, 500], step, 3600), [0.25, 0.5, 1]);
  assert.deepEqual(originWeights([476, 488, 500], step, 0), [1, 1, 1]);
  assert.deepEqual(
    meanAbs(
      [
        [4, -4],
        [1, 1],
      ],
      [0.25, 1],
    ),
    (0.25 * 8 + 2) / 2.5,
  );
});

test('with a half-life, the candidate right at the newest origins wins over one right only at the older ones', () => {
  // `late` is exact from step 530 on and 2 off before; `early` is 1 off everywhere but exact before 530
  const shifted = (name: string, before: number, after: number): ForecastModel => ({
    name,
    minHistory: () => 1,
    fit: () => ({
      predict: (yy, origin, h) => Array.from({ length: h }, (_, k) => yy[origin + k] + (origin < 530 ? before : after)),
    }),
  });
  const models = [shifted('early', 0, 1), shifted('late', 2, 0)];
  const names = (weights?: number[]) =>
    scoreCandidates(models, y, origins, 4, ctx, [], false, undefined, weights).map((c) => c.model.name);
  // equal weights: early errs 1/3 on average, late 4/3
  assert.deepEqual(names(), ['early', 'late']);
  // origins 500, 520, 540: a half-life of 5 steps weighs the newest 16 times the one before it
  const weights = originWeights(origins, step, 5 * step);
  assert.deepEqual(names(weights), ['late', 'early']);
  const ranked = scoreCandidates(models, y, origins, 4, ctx, [], false, undefined, weights);
  assert.deepEqual(
    chooseModels(ranked, y, { combine: 1 }, weights).chosen.map((c) => c.model.name),
    ['late'],
  );
});

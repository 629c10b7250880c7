/**
 * A global model, measured leave-one-trace-out: one linear model per horizon step (ridge), trained
 * across the other traces on scale-free features (each window divided by its last day's mean),
 * used as one more `auto` candidate on the held-out trace. The accuracy protocol of
 * bench/accuracy.ts. Traces at 5 minutes only (nyc_taxi, at 30, keeps its score).
 * `--mlp`: a small neural network (tfjs, wasm backend) instead of the linear model.
 * Run: node --import tsx bench/global-model.ts [--mlp] [--origins 40]
 */
import type { RegularSeries } from '../src/core/domain/series.js';
import type { ForecastModel, ModelContext } from '../src/core/forecast/contract.js';
import { evaluateSeries, geometricMean, horizonSteps } from '../src/core/forecast/evaluate.js';
import { ridgeSolve } from '../src/core/forecast/linalg.js';
import { AUTO_CANDIDATES } from '../src/core/forecast/registry.js';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/adapters/models/lstm/backend.js';
import { loadTrace, traceFiles } from './traces.js';

const MLP = process.argv.includes('--mlp');
if (MLP) await initBackend();

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ORIGINS = Number(flag('--origins') ?? 8);
const H = 12;
const L = 12;
const P = L + 6;

/** The features of step k from origin o (y[0, o) only), scaled by the mean of the last day; undefined when short. */
function features(y: ArrayLike<number>, o: number, k: number, m: number, out: Float64Array): number | undefined {
  if (o < 2 * m + L) return undefined;
  let s = 0;
  for (let i = o - m; i < o; i++) s += Math.abs(y[i]);
  s = s / m || 1;
  for (let j = 0; j < L; j++) out[j] = y[o - 1 - j] / s;
  const at = o + k - 1;
  out[L] = y[at - m] / s;
  let sum = 0;
  let c = 0;
  const days: number[] = [];
  for (let d = 1; d <= 7 && at - d * m >= 0 && at - d * m < o; d++) {
    const v = y[at - d * m] / s;
    sum += v;
    c++;
    days.push(v);
  }
  days.sort((a, b) => a - b);
  out[L + 1] = at - 7 * m >= 0 ? y[at - 7 * m] / s : out[L];
  out[L + 2] = sum / c;
  out[L + 3] = days[days.length >> 1];
  out[L + 4] = y[o - 1 - m] / s;
  out[L + 5] = 1;
  return s;
}

function train(series: readonly RegularSeries[]): Float64Array[] {
  const betas: Float64Array[] = [];
  const x = new Float64Array(P);
  for (let k = 1; k <= H; k++) {
    const xtx = new Float64Array(P * P);
    const xty = new Float64Array(P);
    for (const s of series) {
      const m = Math.round(86_400 / s.step);
      const y = s.values;
      for (let o = 2 * m + L; o + k - 1 < y.length; o += 3) {
        const sc = features(y, o, k, m, x);
        if (sc === undefined) continue;
        const t = y[o + k - 1] / sc;
        for (let i = 0; i < P; i++) {
          xty[i] += x[i] * t;
          for (let j = 0; j < P; j++) xtx[i * P + j] += x[i] * x[j];
        }
      }
    }
    betas.push(ridgeSolve(xtx, xty, P, 1e-4));
  }
  return betas;
}

/**
 * The MLP's inputs from origin o: the recent lags and yesterday at the origin once, then each
 * step's daily features; with each step's base (the mean of the same time on the last seven days)
 * and the scale. Undefined when the history is short.
 */
function mlpInputs(
  y: ArrayLike<number>,
  o: number,
  m: number,
): { row: number[]; base: number[]; scale: number } | undefined {
  const x = new Float64Array(P);
  const row: number[] = [];
  const base: number[] = [];
  let scale = 1;
  for (let k = 1; k <= H; k++) {
    const s = features(y, o, k, m, x);
    if (s === undefined) return undefined;
    scale = s;
    if (k === 1) row.push(...Array.from(x.subarray(0, L)), x[L + 4]);
    row.push(x[L], x[L + 1], x[L + 2], x[L + 3]);
    base.push(x[L + 2]);
  }
  return { row, base, scale };
}

/**
 * An MLP (64 ReLU units, every step at once) on mlpInputs, predicting each step's deviation from
 * its base.
 */
async function trainMlp(series: readonly RegularSeries[]): Promise<tf.LayersModel> {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (const s of series) {
    const m = Math.round(86_400 / s.step);
    const y = s.values;
    for (let o = 2 * m + L; o + H - 1 < y.length; o += 3) {
      const at = mlpInputs(y, o, m);
      if (!at) continue;
      xs.push(at.row);
      ys.push(at.base.map((b, i) => y[o + i] / at.scale - b));
    }
  }
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [xs[0].length], units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: H }));
  model.compile({ optimizer: tf.train.adam(0.003), loss: 'meanAbsoluteError' });
  const X = tf.tensor2d(xs);
  const Y = tf.tensor2d(ys);
  await model.fit(X, Y, { epochs: 20, batchSize: 256, shuffle: true, verbose: 0 });
  X.dispose();
  Y.dispose();
  return model;
}

/**
 * A model trained elsewhere, as a candidate: nothing to fit; `forecast` gives the h steps after
 * origin, or undefined when the history is short (then the last value is repeated).
 */
function trainedModel(
  name: string,
  forecast: (y: readonly number[], origin: number, h: number, m: number) => number[] | undefined,
): ForecastModel {
  return {
    name,
    minHistory: (ctx: ModelContext) => 2 * ctx.seasonDay + L,
    fit: (_y, _h, ctx) => ({
      predict: (yy, origin, h) =>
        forecast(yy, origin, h, ctx.seasonDay) ?? Array.from({ length: h }, () => yy[origin - 1]),
    }),
  };
}

const mlpModel = (net: tf.LayersModel) =>
  trainedModel('global_mlp', (y, origin, h, m) => {
    const at = mlpInputs(y, origin, m);
    if (!at) return undefined;
    const out = tf.tidy(() => (net.predict(tf.tensor2d([at.row])) as tf.Tensor).dataSync());
    return Array.from({ length: h }, (_, k) => (out[Math.min(k, H - 1)] + at.base[Math.min(k, H - 1)]) * at.scale);
  });

const linearModel = (betas: Float64Array[]) =>
  trainedModel('global_linear', (y, origin, h, m) => {
    const x = new Float64Array(P);
    const out: number[] = [];
    for (let k = 1; k <= h; k++) {
      const s = features(y, origin, k, m, x);
      if (s === undefined) return undefined;
      const b = betas[Math.min(k, betas.length) - 1];
      let v = 0;
      for (let i = 0; i < P; i++) v += b[i] * x[i];
      out.push(v * s);
    }
    return out;
  });

const traces = traceFiles().map((f) => loadTrace(f));
const rows: { name: string; base: number; withGlobal: number; alone: number }[] = [];
for (const held of traces) {
  const horizon = horizonSteps(3600, held.series.step);
  const protocol = { horizon, origins: ORIGINS, windowDays: 14, evalDays: 7 };
  const base = evaluateSeries(held.series, { ...protocol, models: ['auto'] }).scores[0].mase;
  if (held.series.step !== 300) {
    rows.push({ name: held.name, base, withGlobal: base, alone: NaN });
    continue;
  }
  const others = traces.filter((t) => t !== held && t.series.step === 300).map((t) => t.series);
  const model = MLP ? mlpModel(await trainMlp(others)) : linearModel(train(others));
  const ev = evaluateSeries(held.series, {
    ...protocol,
    models: ['auto', model.name],
    extraModels: [model],
    selection: { candidates: [...AUTO_CANDIDATES, model.name] },
  });
  rows.push({ name: held.name, base, withGlobal: ev.scores[0].mase, alone: ev.scores[1].mase });
  console.error(held.name, base.toFixed(3), ev.scores[0].mase.toFixed(3), ev.scores[1].mase.toFixed(3));
}
console.log(`| held-out trace | auto | auto + global candidate | global alone |`);
console.log(`|---|---|---|---|`);
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.base.toFixed(3)} | ${r.withGlobal.toFixed(3)} | ${Number.isNaN(r.alone) ? '—' : r.alone.toFixed(3)} |`,
  );
console.log(
  `| **geometric mean** | **${geometricMean(rows.map((r) => r.base)).toFixed(3)}** | **${geometricMean(rows.map((r) => r.withGlobal)).toFixed(3)}** | ${geometricMean(rows.filter((r) => !Number.isNaN(r.alone)).map((r) => r.alone)).toFixed(3)} (nine) |`,
);

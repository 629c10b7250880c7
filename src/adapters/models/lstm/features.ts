import { PrescaleError } from '../../../core/domain/errors.js';
import type { ModelContext } from '../../../core/forecast/contract.js';

/**
 * The LSTM's inputs, as plain arrays (no TensorFlow.js here, so this file is cheap to test and to
 * import). A sample at origin `t` (the index of the first forecast step) is:
 *
 * - `seq`: the last `window` samples y[t − window, t), each with the value one day earlier
 *   y[i − m] beside it (two features per time step: today, and the same time yesterday — how
 *   today differs from yesterday is what the recurrent layer learns to read);
 * - `day`: the values one day before each forecast step, y[t + k − m] for k = 0..horizon − 1
 *   (seasonal-naive forecasts, fed straight to the dense head as in the "direct" multi-step
 *   strategy with exogenous seasonal lags, Taieb et al. 2012);
 * - `target`: y[t, t + horizon).
 *
 * Everything is z-scored with the training data's mean and standard deviation, then the
 * sample's own level (levelAt) is subtracted.
 */

/** Shapes and scaling the network was trained with; saved in metadata.json. */
export interface LstmShape {
  /** Samples of recent history the recurrent layer reads. */
  readonly window: number;
  /** Steps forecast directly by the dense head. */
  readonly horizon: number;
  /** Samples per day at the trained step (the lag of the yesterday features). */
  readonly seasonDay: number;
}

/** z-score parameters of the training data. */
export interface Normalisation {
  readonly mean: number;
  readonly std: number;
}

/** Recent-history window: two hours of samples, between 6 and 24 time steps. */
export function windowFor(ctx: ModelContext): number {
  return Math.max(6, Math.min(24, Math.round(7200 / ctx.step)));
}

/** Fewest samples before an origin: the window and a day before its first sample. */
export function historyNeeded(shape: LstmShape): number {
  return shape.window + shape.seasonDay;
}

/** Smallest series `trainLstm` accepts: a day of lags, two days to learn from, a day held out. */
export function minTrainingSamples(ctx: ModelContext, horizon: number): number {
  return windowFor(ctx) + 4 * ctx.seasonDay + horizon;
}

/** Mean and (population) standard deviation of `y`; a constant series gets std 1. */
export function normalisationOf(y: readonly number[]): Normalisation {
  let s = 0;
  for (const v of y) s += v;
  const mean = y.length ? s / y.length : 0;
  let ss = 0;
  for (const v of y) ss += (v - mean) * (v - mean);
  const std = y.length ? Math.sqrt(ss / y.length) : 0;
  return { mean, std: std > 1e-12 ? std : 1 };
}

/** Number of inputs per time step of `seq`. */
export const SEQ_FEATURES = 2;

/**
 * Writes the inputs of the sample at `origin` into `seq` (window × 2, row-major, at `seqAt`) and
 * `day` (horizon, at `dayAt`). Reads y[origin − window − m, origin) only.
 */
export function writeInputs(
  y: readonly number[],
  origin: number,
  shape: LstmShape,
  norm: Normalisation,
  seq: Float32Array,
  seqAt: number,
  day: Float32Array,
  dayAt: number,
): void {
  const { window: W, horizon: H, seasonDay: m } = shape;
  const lv = levelAt(y, origin, shape, norm);
  const z = (v: number) => (v - norm.mean) / norm.std - lv;
  for (let j = 0; j < W; j++) {
    const i = origin - W + j;
    seq[seqAt + j * SEQ_FEATURES] = z(y[i]);
    seq[seqAt + j * SEQ_FEATURES + 1] = z(y[i - m]);
  }
  for (let k = 0; k < H; k++) day[dayAt + k] = z(y[origin + k - m]);
}

/**
 * The sample's level in z units: the mean of its recent window. It is subtracted from every input
 * and target and added back to the output (the mean half of reversible instance normalisation,
 * Kim et al. 2022, "Reversible Instance Normalization for Accurate Time-Series Forecasting against
 * Distribution Shift"): the network learns shapes, not levels, so a busier day than any in
 * training does not push it out of its range (the holdout of traces whose level drifts from week
 * to week is where that shows most).
 */
export function levelAt(y: readonly number[], origin: number, shape: LstmShape, norm: Normalisation): number {
  let s = 0;
  for (let i = origin - shape.window; i < origin; i++) s += y[i];
  return (s / shape.window - norm.mean) / norm.std;
}

/** A batch of samples as flat arrays, ready for tensors of shapes [n, W, 2], [n, H], [n, H]. */
export interface SampleBatch {
  readonly count: number;
  readonly seq: Float32Array;
  readonly day: Float32Array;
  /** Targets (z-scored); empty when built for prediction only. */
  readonly target: Float32Array;
  /** Per-sample level (z units) to add back to the network's output. */
  readonly level: Float32Array;
}

/** Inputs (and targets when `withTarget`) of the samples at `origins`. */
export function buildBatch(
  y: readonly number[],
  origins: readonly number[],
  shape: LstmShape,
  norm: Normalisation,
  withTarget = true,
): SampleBatch {
  const { window: W, horizon: H } = shape;
  const n = origins.length;
  const seq = new Float32Array(n * W * SEQ_FEATURES);
  const day = new Float32Array(n * H);
  const target = new Float32Array(withTarget ? n * H : 0);
  const level = new Float32Array(n);
  origins.forEach((o, r) => {
    writeInputs(y, o, shape, norm, seq, r * W * SEQ_FEATURES, day, r * H);
    level[r] = levelAt(y, o, shape, norm);
    if (withTarget) for (let k = 0; k < H; k++) target[r * H + k] = (y[o + k] - norm.mean) / norm.std - level[r];
  });
  return { count: n, seq, day, target, level };
}

/**
 * A small seeded PRNG (mulberry32, public domain, T. Ettinger): reproducible shuffles without
 * touching Math.random.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy of `xs` with `rand`. */
export function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Mean absolute scaled error (Hyndman & Koehler 2006, "Another look at measures of forecast
 * accuracy"): MAE divided by the in-sample MAE of the one-season naive forecast.
 */
export function seasonalScale(y: readonly number[], end: number, m: number): number {
  let s = 0;
  let c = 0;
  for (let i = m; i < end; i++) {
    s += Math.abs(y[i] - y[i - m]);
    c++;
  }
  return c && s > 0 ? s / c : 1;
}

/**
 * Training windows at most; more are thinned evenly (every 2nd, 3rd, ... origin), which keeps an
 * epoch short on wasm and loses little: neighbouring windows overlap in all but one sample.
 */
const MAX_TRAIN_WINDOWS = 2000;
/** Validation windows at most, thinned the same way. */
const MAX_VAL_WINDOWS = 600;

/** What the data preparation of a training reads of its options (see TrainOptions in model.ts). */
export interface SplitOptions {
  readonly horizon: number;
  readonly validationSplit: number;
  readonly maxTrainWindows?: number;
}

/** Every `ceil(len / max)`-th element of `xs`, so at most about `max` remain. */
function thin<T>(xs: readonly T[], max: number): T[] {
  const stride = Math.max(1, Math.ceil(xs.length / max));
  return xs.filter((_, i) => i % stride === 0);
}

/** The integers [from, to). */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** Refuses a horizon, a validation split or a history `trainLstm` cannot train on (E_INPUT). */
export function checkTrainingInput(values: readonly number[], ctx: ModelContext, opts: SplitOptions): void {
  const m = ctx.seasonDay;
  const H = opts.horizon;
  if (!Number.isInteger(H) || H < 1 || H > m) {
    throw new PrescaleError('E_INPUT', `horizon must be between 1 and ${m} steps (one day), got ${H}`);
  }
  if (!(opts.validationSplit > 0 && opts.validationSplit < 1)) {
    throw new PrescaleError('E_INPUT', `validation split must be between 0 and 1, got ${opts.validationSplit}`);
  }
  const need = minTrainingSamples(ctx, H);
  if (values.length < need) {
    const days = (need * ctx.step) / 86_400;
    throw new PrescaleError(
      'E_INPUT',
      `history too short for the LSTM: ${values.length} samples, needs ${need} (${days.toFixed(1)} days at ${ctx.step} s)`,
    );
  }
  if (!values.every(Number.isFinite)) throw new PrescaleError('E_INPUT', 'history holds non-finite values');
}

/** The data of one training: shape, normalisation, the held-out day and the windows either side of the split. */
export interface TrainingData {
  readonly shape: LstmShape;
  readonly norm: Normalisation;
  /** Index of the first held-out sample (the last day). */
  readonly testStart: number;
  readonly train: SampleBatch;
  readonly val: SampleBatch;
}

/**
 * The held-out last day, the normalisation of what precedes it, and the training and validation
 * windows: the origins whose targets end before the held-out day, the latest share validating.
 */
export function prepareData(y: readonly number[], ctx: ModelContext, opts: SplitOptions): TrainingData {
  const n = y.length;
  const shape: LstmShape = { window: windowFor(ctx), horizon: opts.horizon, seasonDay: ctx.seasonDay };
  const testStart = n - ctx.seasonDay;
  const norm = normalisationOf(y.slice(0, testStart));
  const origins = range(historyNeeded(shape), testStart - opts.horizon + 1);
  const nVal = Math.max(1, Math.round(origins.length * opts.validationSplit));
  const trainOrigins = thin(origins.slice(0, origins.length - nVal), opts.maxTrainWindows ?? MAX_TRAIN_WINDOWS);
  const valOrigins = thin(origins.slice(origins.length - nVal), MAX_VAL_WINDOWS);
  return {
    shape,
    norm,
    testStart,
    train: buildBatch(y, trainOrigins, shape, norm),
    val: buildBatch(y, valOrigins, shape, norm),
  };
}

import * as tf from '@tensorflow/tfjs';
import { PrescaleError } from '../../../core/domain/errors.js';
import type { ForecastModel, ModelContext, PointForecast } from '../../../core/forecast/contract.js';
import {
  buildBatch,
  checkTrainingInput,
  historyNeeded,
  mulberry32,
  prepareData,
  range,
  SEQ_FEATURES,
  seasonalScale,
  shuffled,
  type LstmShape,
  type Normalisation,
  type SampleBatch,
  type TrainingData,
} from './features.js';

/**
 * A small LSTM forecaster (Hochreiter & Schmidhuber 1997) in TensorFlow.js: one recurrent layer
 * over the last two hours, its state concatenated with the same-time-yesterday values of the
 * forecast steps, and a linear dense head that outputs every horizon step at once (the direct
 * multi-output strategy, Taieb et al. 2012). The head also sees the raw recent window (a linear
 * highway, as in LSTNet) and the seasonal-naive forecast itself, and every input is taken
 * relative to the window's own mean (features.ts): the network only has to learn how the next
 * steps depart from the recent level and from yesterday.
 *
 * Trained once (`prescale train`), saved, and loaded by `prescale forecast`; loading never
 * retrains. Training is reproducible for a given seed and backend: seeded initialisers and a
 * seeded shuffle of the training windows each epoch.
 */

/** Hidden units of the recurrent layer: small, so that training stays quick on wasm. */
const UNITS = 16;
const BATCH = 128;
const LEARNING_RATE = 0.005;
/** What `trainLstm` needs besides the data. */
export interface TrainOptions {
  /** Steps forecast directly (at most one day). */
  readonly horizon: number;
  /** Most training epochs (early stopping usually ends sooner). */
  readonly epochs: number;
  readonly seed: number;
  /** Share of the training origins, the latest ones, kept for validation (0 < v < 1). */
  readonly validationSplit: number;
  /** Epochs without a better validation loss before training stops. */
  readonly patience: number;
  /** Hidden units, batch size, Adam's learning rate, training windows per epoch at most (defaults: 16, 128, 0.005, 2000). */
  readonly units?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly maxTrainWindows?: number;
  /** Called after every epoch (1-based) with the training and validation loss (MSE, z units). */
  readonly onEpoch?: (epoch: number, loss: number, valLoss: number) => void;
}

/** How training went. */
export interface TrainingReport {
  readonly epochs: number;
  readonly maxEpochs: number;
  /** The epoch whose weights were kept (lowest validation loss). */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** Training and validation loss (mean squared error of z-scored values) at the best epoch. */
  readonly loss: number;
  readonly valLoss: number;
  readonly trainWindows: number;
  readonly valWindows: number;
  readonly batchSize: number;
  readonly units: number;
  readonly learningRate: number;
  readonly seconds: number;
  readonly epochsPerSecond: number;
}

/** The holdout: rolling-origin scores of the trained network on the last day, held out of training. */
export interface HoldoutScores {
  /** Samples held out (one day) and forecast origins in it. */
  readonly heldOut: number;
  readonly origins: number;
  readonly horizon: number;
  /** MASE (Hyndman & Koehler 2006; scale: in-sample MAE of the one-day seasonal naive). */
  readonly maseLstm: number;
  readonly maseSeasonalNaive: number;
  readonly maeLstm: number;
  readonly maeSeasonalNaive: number;
}

/** A trained network with what it needs to forecast and to be described. */
export interface TrainedLstm {
  readonly network: tf.LayersModel;
  readonly shape: LstmShape;
  readonly normalisation: Normalisation;
  /** Seconds between samples of the training data. */
  readonly step: number;
  /** Unix seconds of the first and last training samples. */
  readonly first: number;
  readonly last: number;
  readonly samples: number;
  readonly seed: number;
  readonly training: TrainingReport;
  readonly holdout: HoldoutScores;
}

/** The network: LSTM over [window, 2] and the yesterday values [horizon] → dense [horizon]. */
export function buildNetwork(shape: LstmShape, seed: number, units = UNITS): tf.LayersModel {
  const seq = tf.input({ shape: [shape.window, SEQ_FEATURES], name: 'recent' });
  const day = tf.input({ shape: [shape.horizon], name: 'yesterday' });
  const state = tf.layers
    .lstm({
      units,
      name: 'lstm',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1, gain: 1 }),
    })
    .apply(seq) as tf.SymbolicTensor;
  // the linear "highway" (LSTNet, Lai et al. 2018): the head also sees the raw inputs, so it
  // starts as a linear autoregression with seasonal lags and the recurrent state adds the rest
  const flat = tf.layers.flatten({ name: 'recent_flat' }).apply(seq) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ name: 'join' }).apply([state, day, flat]) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: shape.horizon, name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) })
    .apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs: [seq, day], outputs: out, name: 'prescale_lstm' });
}

function tensorsOf(batch: SampleBatch, shape: LstmShape): [tf.Tensor3D, tf.Tensor2D] {
  return [
    tf.tensor3d(batch.seq, [batch.count, shape.window, SEQ_FEATURES]),
    tf.tensor2d(batch.day, [batch.count, shape.horizon]),
  ];
}

/** Forecasts (in data units) of the network from each of `origins`, all in one pass. */
export function predictOrigins(
  network: tf.LayersModel,
  y: readonly number[],
  origins: readonly number[],
  shape: LstmShape,
  norm: Normalisation,
): number[][] {
  if (!origins.length) return [];
  const batch = buildBatch(y, origins, shape, norm, false);
  const flat = tf.tidy(() => {
    const out = network.predict(tensorsOf(batch, shape), { batchSize: 1024 }) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
  const H = shape.horizon;
  return origins.map((_, r) =>
    Array.from(flat.subarray(r * H, (r + 1) * H), (v) => (v + batch.level[r]) * norm.std + norm.mean),
  );
}

/** The best epoch of a fit: its number, its losses, and (until set back) copies of its weights. */
interface BestEpoch {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number;
  readonly weights: tf.Tensor[];
}

/** One epoch of minibatch training over the training windows in `order`; its mean loss. */
async function trainEpoch(
  network: tf.LayersModel,
  inputs: readonly [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D],
  order: readonly number[],
  batchSize: number,
): Promise<number> {
  const [trainSeq, trainDay, trainTarget] = inputs;
  let sum = 0;
  for (let b = 0; b < order.length; b += batchSize) {
    const idx = tf.tensor1d(order.slice(b, b + batchSize), 'int32');
    const xs = [tf.gather(trainSeq, idx), tf.gather(trainDay, idx)];
    const ys = tf.gather(trainTarget, idx);
    const l = (await network.trainOnBatch(xs, ys)) as number;
    sum += l * idx.shape[0];
    tf.dispose([idx, ...xs, ys]);
  }
  return sum / order.length;
}

/**
 * Fits the network epoch by epoch on a seeded shuffle of the training windows, stops after
 * `patience` epochs without a better validation loss, and leaves the best epoch's weights in it;
 * `seconds` is the time the epochs took.
 */
async function fitWithEarlyStopping(
  network: tf.LayersModel,
  data: TrainingData,
  opts: TrainOptions,
  batchSize: number,
): Promise<{ epochs: number; best: BestEpoch; seconds: number }> {
  const { train, val, shape } = data;
  const [trainSeq, trainDay] = tensorsOf(train, shape);
  const trainTarget = tf.tensor2d(train.target, [train.count, shape.horizon]);
  const valInputs = tensorsOf(val, shape);
  const valTarget = tf.tensor2d(val.target, [val.count, shape.horizon]);
  const rand = mulberry32(opts.seed);
  const rows = range(0, train.count);
  let best: BestEpoch = { epoch: 0, loss: Infinity, valLoss: Infinity, weights: [] };
  let epoch = 0;
  const t0 = performance.now();
  try {
    while (epoch < opts.epochs) {
      epoch++;
      const loss = await trainEpoch(network, [trainSeq, trainDay, trainTarget], shuffled(rows, rand), batchSize);
      const valLoss = tf.tidy(
        () => (network.evaluate(valInputs, valTarget, { batchSize: 1024 }) as tf.Scalar).dataSync()[0],
      );
      if (valLoss < best.valLoss) {
        tf.dispose(best.weights);
        best = { epoch, loss, valLoss, weights: network.getWeights().map((w) => w.clone()) };
      }
      opts.onEpoch?.(epoch, loss, valLoss);
      if (epoch - best.epoch >= opts.patience) break;
    }
    if (!best.weights.length) {
      network.dispose();
      throw new PrescaleError('E_FORECAST', 'LSTM training diverged: the validation loss was never finite');
    }
    network.setWeights(best.weights);
  } finally {
    tf.dispose([trainSeq, trainDay, trainTarget, ...valInputs, valTarget, ...best.weights]);
  }
  return { epochs: epoch, best, seconds: (performance.now() - t0) / 1000 };
}

/** The holdout: rolling origins over the held-out day, every origin whose horizon fits in it. */
function scoreHoldout(network: tf.LayersModel, y: readonly number[], data: TrainingData): HoldoutScores {
  const { shape, norm, testStart } = data;
  const H = shape.horizon;
  const m = shape.seasonDay;
  const testOrigins = range(testStart, y.length - H + 1);
  const forecasts = predictOrigins(network, y, testOrigins, shape, norm);
  let errL = 0;
  let errS = 0;
  let cnt = 0;
  testOrigins.forEach((o, r) => {
    for (let k = 0; k < H; k++) {
      errL += Math.abs(y[o + k] - forecasts[r][k]);
      errS += Math.abs(y[o + k] - y[o + k - m]);
      cnt++;
    }
  });
  const scale = seasonalScale(y, testStart, m);
  const maeLstm = errL / cnt;
  const maeSeasonalNaive = errS / cnt;
  return {
    heldOut: m,
    origins: testOrigins.length,
    horizon: H,
    maseLstm: maeLstm / scale,
    maseSeasonalNaive: maeSeasonalNaive / scale,
    maeLstm,
    maeSeasonalNaive,
  };
}

/**
 * Trains the LSTM on a gap-free series. The last day is held out and scored by rolling origin
 * (the holdout: MASE against the one-day seasonal naive); of the origins before it, the latest
 * `validationSplit` share is the validation set (chronological: no future leaks into training),
 * the rest is shuffled with the seed every epoch. Stops when the validation loss has not
 * improved for `patience` epochs and keeps the best epoch's weights.
 */
export async function trainLstm(
  values: readonly number[],
  ctx: ModelContext,
  opts: TrainOptions,
): Promise<TrainedLstm> {
  checkTrainingInput(values, ctx, opts);
  const y = values;
  const n = y.length;
  const units = opts.units ?? UNITS;
  const batchSize = opts.batchSize ?? BATCH;
  const learningRate = opts.learningRate ?? LEARNING_RATE;
  const data = prepareData(y, ctx, opts);
  const network = buildNetwork(data.shape, opts.seed, units);
  network.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError' });
  const { epochs, best, seconds } = await fitWithEarlyStopping(network, data, opts, batchSize);
  return {
    network,
    shape: data.shape,
    normalisation: data.norm,
    step: ctx.step,
    first: ctx.start,
    last: ctx.start + (n - 1) * ctx.step,
    samples: n,
    seed: opts.seed,
    training: {
      epochs,
      maxEpochs: opts.epochs,
      bestEpoch: best.epoch,
      stoppedEarly: epochs < opts.epochs,
      loss: best.loss,
      valLoss: best.valLoss,
      trainWindows: data.train.count,
      valWindows: data.val.count,
      batchSize,
      units,
      learningRate,
      seconds,
      epochsPerSecond: seconds > 0 ? epochs / seconds : 0,
    },
    holdout: scoreHoldout(network, y, data),
  };
}

/** What a saved or freshly trained network needs to forecast. */
export interface LstmSpec {
  readonly shape: LstmShape;
  readonly normalisation: Normalisation;
  /** Seconds between samples the network was trained at. */
  readonly step: number;
}

/**
 * The network as a `ForecastModel` named `lstm`. `fit` does not train: it checks the series has
 * the trained step and enough history and returns the network, which forecasts from any origin
 * with y[0, origin) (synchronously: TensorFlow.js ops run eagerly and `dataSync` reads them).
 * Beyond the trained horizon, each step repeats the value a day earlier, from the data or the
 * forecast itself (as window_regression does).
 */
export function lstmForecaster(network: tf.LayersModel, spec: LstmSpec, name = 'lstm'): ForecastModel {
  const { shape, normalisation: norm } = spec;
  const need = historyNeeded(shape);
  return {
    name,
    minHistory: () => need,
    fit(y, _h, ctx) {
      if (ctx.step !== spec.step) {
        throw new PrescaleError(
          'E_MODEL',
          `${name} was trained at a ${spec.step} s step, the series has ${ctx.step} s`,
        );
      }
      if (y.length < need) throw new PrescaleError('E_MODEL', `${name} needs ${need} samples, has ${y.length}`);
      return {
        predict(yy, origin, h): PointForecast {
          if (origin < need) throw new PrescaleError('E_MODEL', `${name} needs ${need} samples before the origin`);
          if (h <= 0) return [];
          const direct = predictOrigins(network, yy, [origin], shape, norm)[0];
          const m = shape.seasonDay;
          const out = direct.slice(0, h);
          for (let k = out.length; k < h; k++) out.push(k - m >= 0 ? out[k - m] : yy[origin + k - m]);
          return out;
        },
      };
    },
  };
}

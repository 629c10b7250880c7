import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PrescaleError } from '../../../core/domain/errors.js';
import type { ForecastModel } from '../../../core/forecast/contract.js';
import { initBackend } from './backend.js';
import type { LstmShape, Normalisation } from './features.js';
import { lstmForecaster, type HoldoutScores, type TrainedLstm, type TrainingReport } from './model.js';

/**
 * A model directory: `model.json` + `weights.bin` in the TensorFlow.js layers format (what
 * tfjs-node's `file://` handler writes, so `tf.loadLayersModel` and the Python converter read
 * it), and `metadata.json` describing the data, the shapes, the training and the scores.
 */

export const METADATA_FORMAT = 'prescale-lstm/1';

/** metadata.json. */
export interface LstmMetadata {
  readonly format: typeof METADATA_FORMAT;
  readonly model: 'lstm';
  readonly createdAt: string;
  readonly data: {
    /** Unix seconds of the first and last samples trained on (the held-out day included). */
    readonly first: number;
    readonly last: number;
    readonly firstIso: string;
    readonly lastIso: string;
    readonly samples: number;
    readonly step: number;
    /** Where the data came from (a file), when known. */
    readonly source?: string;
  };
  readonly window: number;
  readonly horizon: number;
  readonly seasonDay: number;
  readonly features: readonly string[];
  readonly normalisation: Normalisation & { readonly method: 'z-score' };
  readonly training: TrainingReport & { readonly validationSplit: number; readonly patience: number };
  /** The holdout's scores (`backtest` is the key of format prescale-lstm/1, kept for the models written with it). */
  readonly backtest: HoldoutScores & { readonly note: string };
  readonly versions: { readonly tfjs: string; readonly node: string };
  readonly backend: string;
  readonly seed: number;
}

/** What the caller adds to the metadata that the trained model does not know. */
export interface MetadataExtras {
  readonly source?: string;
  readonly backend: string;
  readonly validationSplit: number;
  readonly patience: number;
}

const iso = (t: number) => new Date(t * 1000).toISOString();

/** The metadata of a trained model. */
export function describeLstm(trained: TrainedLstm, extras: MetadataExtras, now = new Date()): LstmMetadata {
  return {
    format: METADATA_FORMAT,
    model: 'lstm',
    createdAt: now.toISOString(),
    data: {
      first: trained.first,
      last: trained.last,
      firstIso: iso(trained.first),
      lastIso: iso(trained.last),
      samples: trained.samples,
      step: trained.step,
      ...(extras.source !== undefined ? { source: extras.source } : {}),
    },
    window: trained.shape.window,
    horizon: trained.shape.horizon,
    seasonDay: trained.shape.seasonDay,
    features: [
      `recent: y[t-${trained.shape.window}..t-1], each with y one day earlier beside it`,
      `yesterday: y[t+k-${trained.shape.seasonDay}] for k = 0..${trained.shape.horizon - 1}`,
      'all z-scored with normalisation.mean/std, then minus the mean of the recent window (added back to the output)',
    ],
    normalisation: { method: 'z-score', ...trained.normalisation },
    training: { ...trained.training, validationSplit: extras.validationSplit, patience: extras.patience },
    backtest: {
      ...trained.holdout,
      note: 'rolling origins over the last day, held out of training; MASE scaled by the in-sample one-day seasonal naive',
    },
    versions: { tfjs: tf.version.tfjs, node: process.versions.node },
    backend: extras.backend,
    seed: trained.seed,
  };
}

/** Writes `body` to `path` through a temporary file, so a reader never sees half a file. */
function writeAtomic(path: string, body: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, body);
  renameSync(tmp, path);
}

/**
 * Saves the network (model.json + weights.bin, through a custom `tf.io.withSaveHandler`: no
 * `file://` handler, which only tfjs-node has) and metadata.json into `dir`, created if needed.
 */
export async function saveLstm(dir: string, trained: TrainedLstm, extras: MetadataExtras): Promise<LstmMetadata> {
  const metadata = describeLstm(trained, extras);
  try {
    mkdirSync(dir, { recursive: true });
    await trained.network.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
        const modelJson = {
          modelTopology: artifacts.modelTopology,
          format: artifacts.format ?? 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy ?? null,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        };
        writeAtomic(join(dir, 'weights.bin'), new Uint8Array(weights));
        writeAtomic(join(dir, 'model.json'), JSON.stringify(modelJson));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    writeAtomic(join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
  } catch (err) {
    throw new PrescaleError('E_INPUT', `${dir}: cannot write the model`, { cause: err });
  }
  return metadata;
}

/** A loaded LSTM: the contract's model, and what it was trained on. */
export interface LoadedLstm extends ForecastModel {
  readonly metadata: LstmMetadata;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PrescaleError('E_MODEL', `${path}: cannot read`, { cause: err });
  }
}

/**
 * Loads a directory written by `saveLstm` as the `lstm` ForecastModel. Selects the TensorFlow.js
 * backend first (initBackend); the model then forecasts synchronously.
 */
export async function loadLstm(dir: string): Promise<LoadedLstm> {
  const metadata = readJson(join(dir, 'metadata.json')) as LstmMetadata;
  if (metadata?.format !== METADATA_FORMAT || metadata.model !== 'lstm') {
    throw new PrescaleError(
      'E_MODEL',
      `${dir}/metadata.json: not a prescale LSTM (format ${String(metadata?.format)})`,
    );
  }
  const modelJson = readJson(join(dir, 'model.json')) as tf.io.ModelJSON;
  let network: tf.LayersModel;
  try {
    await initBackend();
    const weightData = readFileSync(join(dir, 'weights.bin'));
    const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
    const buffer = weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength);
    const artifacts = tf.io.getModelArtifactsForJSONSync(modelJson, weightSpecs, buffer as ArrayBuffer);
    network = await tf.loadLayersModel({ load: async () => artifacts });
  } catch (err) {
    throw new PrescaleError('E_MODEL', `${dir}: cannot load the LSTM`, { cause: err });
  }
  const shape: LstmShape = { window: metadata.window, horizon: metadata.horizon, seasonDay: metadata.seasonDay };
  return {
    ...lstmForecaster(network, { shape, normalisation: metadata.normalisation, step: metadata.data.step }),
    metadata,
  };
}

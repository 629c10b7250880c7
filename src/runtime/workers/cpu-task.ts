import { loadTrainedModels } from '../../adapters/models/load.js';
import { describeError } from '../../core/domain/errors.js';
import type { Forecast } from '../../core/domain/forecast.js';
import type { ScalingPolicy } from '../../core/domain/policy.js';
import type { ForecastModel } from '../../core/forecast/forecaster.js';
import { tuneOnHistory, type Tuning } from '../../core/simulate/index.js';
import { silentLogger } from '../../observability/logger.js';
import { ForecastCache, type Refits } from '../plan/forecasts.js';
import { unpack, type PackedSeries } from './packed.js';
import { lowerThreadPriority } from './priority.js';

/** One policy tuning, as a worker thread receives it. */
export interface TuneTask {
  readonly kind: 'tune';
  readonly series: PackedSeries;
  readonly policy: ScalingPolicy;
  readonly model: string;
}

/** One service's forecast, made by the worker that holds the service's fitted model. */
export interface ForecastTask {
  readonly kind: 'forecast';
  /** Which cache: the horizon and refit intervals of the cycle that asks. */
  readonly horizonSteps: number;
  readonly refits: Refits;
  /** Trained models (models/NAME), loaded in this worker on first use. */
  readonly modelsDir?: string;
  readonly key: string;
  readonly query: string;
  readonly model: string;
  readonly series: PackedSeries;
  readonly now: number;
}

/** Forget the services that are gone. */
export interface RetainTask {
  readonly kind: 'retain';
  readonly keys: readonly string[];
}

export type CpuTask = TuneTask | ForecastTask | RetainTask;

/** A forecast, or the error the forecaster threw, as plain data (error classes do not cross threads). */
export type ForecastResult =
  { readonly forecast: Forecast } | { readonly error: { readonly code?: string; readonly message: string } };

// below the main thread, which answers the API
lowerThreadPriority();

const caches = new Map<string, ForecastCache>();
let loaded: Promise<ForecastModel[]> | undefined;

/** The trained models of `dir`, loaded (tfjs wasm included) in this worker, once. */
function trainedModels(dir: string | undefined): Promise<ForecastModel[]> {
  if (!dir) return Promise.resolve([]);
  loaded ??= loadTrainedModels(dir, silentLogger());
  return loaded;
}

async function forecast(task: ForecastTask): Promise<ForecastResult> {
  // auto never uses a trained model: tfjs is loaded only for a service that names one
  const extra = task.model === 'auto' ? [] : await trainedModels(task.modelsDir);
  const id = `${task.horizonSteps}|${task.refits.refitSec}|${task.refits.backtestFitSec}`;
  let cache = caches.get(id);
  if (!cache) caches.set(id, (cache = new ForecastCache(task.horizonSteps, task.refits, extra)));
  else if (extra.length) cache.setExtraModels(extra);
  try {
    return { forecast: cache.forecast(task.key, task.query, task.model, unpack(task.series), task.now) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      error: {
        ...(typeof code === 'string' && { code }),
        message: describeError(err),
      },
    };
  }
}

/** The worker's entry: the same pure functions the cycle would run in its own thread. */
export default async function run(task: CpuTask): Promise<Tuning | ForecastResult | { retained: number } | undefined> {
  if (task.kind === 'tune') return tuneOnHistory(unpack(task.series), task.policy, { forecast: { model: task.model } });
  if (task.kind === 'forecast') return forecast(task);
  const keep = new Set(task.keys);
  for (const cache of caches.values()) cache.retain(keep);
  return { retained: keep.size };
}

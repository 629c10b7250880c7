import type { Forecast } from '../../core/domain/forecast.js';
import type { RegularSeries } from '../../core/domain/series.js';
import {
  forecastFrom,
  prepareSeries,
  refitSeries,
  type ForecastModel,
  type PreparedForecaster,
} from '../../core/forecast/forecaster.js';

interface Entry {
  readonly spec: string;
  readonly end: number;
  readonly backtestFitAt: number;
  readonly fittedAt: number;
  readonly prepared: PreparedForecaster;
  readonly forecast: Forecast;
}

/** How often a service's forecaster is refitted (chosen again), and its candidates fitted afresh for the backtest, seconds. */
export interface Refits {
  readonly refitSec: number;
  readonly backtestFitSec: number;
}

/**
 * Per service: the forecaster prepared at `fittedAt`, chosen again every `refitSec` (fitting only
 * the models newly chosen; its candidates and chosen models fitted afresh every `backtestFitSec`,
 * at `backtestFitAt` last; as `simulate` replays it), and its last forecast, reused until the
 * series gains a bucket.
 */
export class ForecastCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly horizonSteps: number,
    private readonly refits: Refits,
    private extraModels?: readonly ForecastModel[],
  ) {}

  /** The loaded models, once a worker has loaded them. */
  setExtraModels(models: readonly ForecastModel[]): void {
    this.extraModels = models;
  }

  /** The forecast of `series` for service `key` under `model`. Throws what the forecaster throws. */
  forecast(key: string, query: string, model: string, series: RegularSeries, now: number): Forecast {
    const spec = `${query}|${model}|${series.step}`;
    const end = series.start + series.values.length * series.step;
    const cached = this.entries.get(key);
    if (cached?.spec === spec && cached.end === end) return cached.forecast;
    const changed = !cached || cached.spec !== spec;
    const refit = changed || now - cached.fittedAt >= this.refits.refitSec;
    // the candidates are fitted afresh at a refit, once backtestFitSec has passed since the last time
    const fresh = changed || (refit && now - cached.backtestFitAt >= this.refits.backtestFitSec);
    const prepared = fresh
      ? // a loaded model serves the services that name it; `auto` keeps to the statistical ones, so
        // a model trained on one series is not judged on every service's history at every refit
        prepareSeries(series, this.horizonSteps, {
          model,
          extraModels: model === 'auto' ? undefined : this.extraModels,
        })
      : refit
        ? refitSeries(cached.prepared, series)
        : cached.prepared;
    const forecast = forecastFrom(prepared, series);
    const backtestFitAt = fresh ? now : cached.backtestFitAt;
    this.entries.set(key, { spec, end, backtestFitAt, fittedAt: refit ? now : cached.fittedAt, prepared, forecast });
    return forecast;
  }

  /** Forgets services that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.entries.keys()) if (!keys.has(k)) this.entries.delete(k);
  }
}

/** Where a cycle's forecasts are made: in this thread or in a worker, with the same code and numbers. */
export interface ForecastRunner {
  /** The forecast of `series` for service `key` under `model`. Rejects with what the forecaster throws. */
  forecast(key: string, query: string, model: string, series: RegularSeries, now: number): Promise<Forecast>;
  /** Forgets services that are gone. */
  retain(keys: ReadonlySet<string>): void;
}

/** Forecasts in this thread (the one-by-one path, and where no worker pool runs). */
export function localForecasts(cache: ForecastCache): ForecastRunner {
  return {
    forecast: async (key, query, model, series, now) => cache.forecast(key, query, model, series, now),
    retain: (keys) => cache.retain(keys),
  };
}

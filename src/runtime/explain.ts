import { usedNaive } from '../core/domain/forecast.js';
import { problemText, type ServiceReport } from './report.js';

/** What can stand in for a model's forecast (see PredictionStatus.fallback). */
export const FALLBACKS = ['naive', 'headroom', 'reactive', 'hold', 'none'] as const;
export type Fallback = (typeof FALLBACKS)[number];

/**
 * Why a service is or is not predicted, in fields and in one sentence, from its decision record.
 * What `GET /v1/services` shows next to the replicas.
 */
export interface PredictionStatus {
  /** True when a forecast from a fitted model set or could have set the replicas. */
  readonly predicted: boolean;
  /** One or two sentences a person can read. */
  readonly summary: string;
  /** The model that made the forecast, e.g. `auto:holt_winters`. */
  readonly model?: string;
  /**
   * What stood in for a model's forecast: `naive` (the last value repeated: too little history or
   * every model failed), `headroom` (recent errors too large: the forecast plus extra headroom,
   * never below the load seen now), `reactive` (no forecast: the load seen now), `hold` (no data:
   * replicas kept), `none` (not planned at all).
   */
  readonly fallback?: Fallback;
  /** Why the fallback was taken. */
  readonly fallbackReason?: string;
  /** Recent relative forecast error (0 = perfect), and the limit above which it is not trusted. */
  readonly forecastError?: number;
  readonly maxForecastError?: number;
  /** History behind the forecast: span in days, samples missing on the query's grid. */
  readonly historyDays?: number;
  readonly missingSamples?: number;
  /** The forecaster's own notes (models skipped, gaps filled). */
  readonly notes: readonly string[];
}

const NAIVE = 'naive';

/** What every explanation of one record carries: its history, its forecast errors and the forecaster's notes. */
interface Common {
  readonly history: Pick<PredictionStatus, 'historyDays' | 'missingSamples'>;
  readonly errors: Pick<PredictionStatus, 'forecastError' | 'maxForecastError'>;
  readonly notes: readonly string[];
}

/** Explains the prediction behind one decision record. Pure. */
export function explainPrediction(r: ServiceReport): PredictionStatus {
  const notes = (r.forecast?.notes ?? []).map((n) => n.message);
  const maxForecastError = r.spec?.policy.maxForecastError;
  const history = r.history
    ? { historyDays: round((r.history.to - r.history.from) / 86_400, 2), missingSamples: r.history.gaps }
    : {};
  const errors = { forecastError: r.forecastError, maxForecastError };
  const common: Common = { history, errors, notes };
  return r.status === 'planned' ? explainPlanned(r, common) : explainNotPlanned(r, r.status, common);
}

/** A record that was not planned: skipped or gone (nothing done), held or failed (replicas kept). */
function explainNotPlanned(
  r: ServiceReport,
  status: 'skipped' | 'gone' | 'held' | 'failed',
  { history, errors, notes }: Common,
): PredictionStatus {
  const problems = problemText(r.problems);
  switch (status) {
    case 'skipped':
      return {
        predicted: false,
        fallback: 'none',
        fallbackReason: problems,
        summary: `Not planned, replicas left alone: ${problems}.`,
        notes,
      };
    case 'gone':
      return { predicted: false, fallback: 'none', fallbackReason: problems, summary: `${r.message}.`, notes };
    case 'held':
    case 'failed':
      return {
        predicted: false,
        fallback: 'hold',
        fallbackReason: problems,
        summary: `Not predicted, ${r.currentReplicas} replicas kept: ${problems}.`,
        ...history,
        ...errors,
        notes,
      };
  }
}

/** A planned record: no forecast (reactive), the naive fallback, an untrusted forecast (headroom), or predicted. */
function explainPlanned(r: ServiceReport, { history, errors, notes }: Common): PredictionStatus {
  const maxForecastError = errors.maxForecastError;
  const span = r.history ? describeHistory(r) : 'no history';
  if (!r.forecast) {
    const why = r.problems.find((p) => p.code === 'ForecastFailed')?.message ?? 'no forecast could be made';
    return {
      predicted: false,
      fallback: 'reactive',
      fallbackReason: why,
      summary: `Not predicted (${why}; ${span}): replicas follow the load observed now.`,
      ...history,
      ...errors,
      notes,
    };
  }
  const model = r.forecast.model;
  const parts = model.replace(/^auto:/, '').split('+');
  const reasons = r.decision?.reasons ?? [];
  const err =
    r.forecastError === undefined
      ? 'no forecast error measured yet'
      : `recent forecast error ${round(r.forecastError, 3)}${maxForecastError !== undefined ? ` (limit ${maxForecastError})` : ''}`;
  if (parts.includes(NAIVE)) {
    const why = r.forecast.notes.find(usedNaive)?.message ?? notes[0] ?? `the model ${model} repeats the last value`;
    return {
      predicted: false,
      model,
      fallback: 'naive',
      fallbackReason: why,
      summary: `Not predicted: ${why} (${span}); the last value is carried forward, so replicas follow the load.`,
      ...history,
      ...errors,
      notes,
    };
  }
  const head = `Predicted by ${model} from ${span}; ${err}.`;
  if (reasons.includes('ForecastUntrusted')) {
    const why = `${err} is above the limit`;
    return {
      predicted: true,
      model,
      fallback: 'headroom',
      fallbackReason: why,
      summary: `${head} The forecast is not trusted: extra headroom, never below the load seen now.`,
      ...history,
      ...errors,
      notes,
    };
  }
  const tail = reasons.includes('ReactiveFloor')
    ? ' The load seen now needs more than the forecast: that number stands.'
    : '';
  return { predicted: true, model, summary: head + tail, ...history, ...errors, notes };
}

function describeHistory(r: ServiceReport): string {
  const h = r.history!;
  const days = (h.to - h.from) / 86_400;
  const expected = Math.round((h.to - h.from) / h.step) + 1;
  const gaps = h.gaps ? `${h.gaps} of ${expected} samples missing` : 'no gaps';
  return `${round(days, 1)} days of history (${gaps})`;
}

function round(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}

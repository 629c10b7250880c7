/**
 * What the forecaster has to say about one forecast, as a stable code (switched on by whoever
 * reads it) and a sentence for a person.
 */
export type ForecastNoteCode =
  | 'GapsFilled' // missing samples were filled by linear interpolation
  | 'ModelSkipped' // the requested model needs more history than the series holds
  | 'ModelFailed' // a model threw or produced non-finite values in the backtest: left out
  | 'HistoryTooShort' // no model had enough history: the last value is repeated (naive)
  | 'RefitFailed'; // the chosen models failed on the whole history: the last value is repeated (naive)

/** One note of a forecast. */
export interface ForecastNote {
  readonly code: ForecastNoteCode;
  readonly message: string;
}

/** The note says the forecast is the naive last value in place of what was asked for. */
export function usedNaive(note: ForecastNote): boolean {
  switch (note.code) {
    case 'HistoryTooShort':
    case 'RefitFailed':
      return true;
    case 'GapsFilled':
    case 'ModelSkipped':
    case 'ModelFailed':
      return false;
  }
}

/** The note says a model did not run as asked: it failed, or the naive last value stood in. */
export function isFallback(note: ForecastNote): boolean {
  return note.code === 'ModelFailed' || usedNaive(note);
}

/**
 * A quantile forecast over a regular horizon: `p50[i]` and `p90[i]` are for `start + i * step`.
 * `p90[i] >= p50[i]` always; both are finite.
 */
export interface Forecast {
  readonly start: number;
  readonly step: number;
  readonly p50: readonly number[];
  readonly p90: readonly number[];
  /** The model that produced the numbers, e.g. `holt_winters`, or `auto:holt_winters`. */
  readonly model: string;
  /** Why this model and not another: fallbacks taken, data problems found. Empty when nothing to say. */
  readonly notes: readonly ForecastNote[];
}

/** The quantiles a forecast carries and a policy may provision for. */
export type QuantileName = 'p50' | 'p90';

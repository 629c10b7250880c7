/** A forecast value for one instant: the p50 and p90 forecast for `forTime`. */
export interface ForecastFor {
  readonly forTime: number;
  readonly p50: number;
  readonly p90: number;
}

/** Forecasts kept per service at most: more than a startup delay of one-second cycles. */
export const PAST_FORECASTS_MAX = 4096;

/**
 * What was forecast for now, one startup delay ago: each cycle remembers its forecast for the
 * time a replica asked for now would be ready, and hands it back once that time has come, so
 * that forecast and actual load can be drawn on one axis. Memory is bounded by the forecasts
 * still waiting for their time (at most PAST_FORECASTS_MAX per service).
 */
export class PastForecasts {
  private readonly pending = new Map<string, ForecastFor[]>();

  /**
   * Remembers `made` (for a later time) and returns the latest remembered forecast whose time has
   * come by `now`, or undefined when none has since the last call.
   */
  next(service: string, now: number, made?: ForecastFor): ForecastFor | undefined {
    let queue = this.pending.get(service);
    if (!queue) {
      queue = [];
      this.pending.set(service, queue);
    }
    if (made && Number.isFinite(made.forTime) && !(made.forTime <= (queue.at(-1)?.forTime ?? -Infinity)))
      queue.push(made);
    if (queue.length > PAST_FORECASTS_MAX) queue.splice(0, queue.length - PAST_FORECASTS_MAX);
    let due = 0;
    while (due < queue.length && queue[due].forTime <= now) due++;
    if (!due) return undefined;
    const found = queue[due - 1];
    queue.splice(0, due);
    return found;
  }

  /** Forgets `service`. */
  delete(service: string): void {
    this.pending.delete(service);
  }
}

import type { ScalingPolicy } from '../../core/domain/policy.js';
import type { RegularSeries } from '../../core/domain/series.js';
import { modelNames } from '../../core/forecast/forecaster.js';
import { TUNING, tuneOnHistory, type Tuning } from '../../core/simulate/index.js';
import type { ServiceSpec } from '../../config/service-spec.js';

/** Runs one policy tuning: in this thread, or in a worker (same code, same result). */
export type TuneRunner = (series: RegularSeries, policy: ScalingPolicy, model: string) => Promise<Tuning | undefined>;

/** The tuning in this thread. */
export const tuneHere: TuneRunner = async (series, policy, model) =>
  tuneOnHistory(series, policy, { forecast: { model } });

/** What happened to a service's tuning this cycle. */
export interface TuningOutcome {
  /** The tuning in force (the last good one), if any. */
  readonly tuning?: Tuning;
  /** Set when a tuning ran this cycle. */
  readonly ran?: { readonly ms: number; readonly fresh: boolean };
  /** Set when the tuning ran and failed (the last one is kept). */
  readonly error?: unknown;
}

/**
 * Per service: the last policy tuning (see src/core/simulate/tune.ts) and when it was tried, for
 * the spec it was made for. Re-tuned once a day or when the spec changes; at most one service a
 * cycle, since a tuning replays a week.
 */
export class TuningCache {
  private readonly entries = new Map<string, { spec: string; triedAt: number; tuning?: Tuning }>();
  private tunedThisCycle = false;

  constructor(private readonly run: TuneRunner = tuneHere) {}

  /** Call at the start of every cycle: one tuning per cycle. */
  beginCycle(): void {
    this.tunedThisCycle = false;
  }

  /** The tuning in force for a service with `autoTune`, re-tuned first when due. */
  async tuned(key: string, spec: ServiceSpec, series: RegularSeries, now: number): Promise<TuningOutcome> {
    if (!spec.policy.autoTune) return {};
    const specKey = JSON.stringify([spec.query, spec.model, spec.policy, spec.exclude ?? []]);
    let entry = this.entries.get(key);
    if (entry && entry.spec !== specKey) entry = undefined;
    if ((entry && now - entry.triedAt < TUNING.everySec) || this.tunedThisCycle) return { tuning: entry?.tuning };
    this.tunedThisCycle = true;
    const t0 = performance.now();
    // the replay uses the statistical forecasters only: replaying a loaded model (an LSTM) step
    // by step over a week takes far longer than a cycle
    const model = modelNames().includes(spec.model) ? spec.model : 'auto';
    try {
      const fresh = await this.run(series, spec.policy, model);
      const tuning = fresh ?? entry?.tuning;
      this.entries.set(key, { spec: specKey, triedAt: now, tuning });
      return { tuning, ran: { ms: performance.now() - t0, fresh: fresh !== undefined } };
    } catch (error) {
      this.entries.set(key, { spec: specKey, triedAt: now, tuning: entry?.tuning });
      return { tuning: entry?.tuning, ran: { ms: performance.now() - t0, fresh: false }, error };
    }
  }

  /** Forgets services that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.entries.keys()) if (!keys.has(k)) this.entries.delete(k);
  }
}

import type { QuantileName } from './forecast.js';

/**
 * How one service is scaled. Every field has a default except the capacity, which only the
 * operator knows; its YAML key, label, bounds and default are one row of src/config/fields.ts.
 */
export interface ScalingPolicy {
  /** Load one replica handles at 100 % utilisation, in the unit of the service's load query. */
  readonly capacityPerReplica: number;
  /** Fraction of capacity to run at (0 < u <= 1). Default 0.8. */
  readonly targetUtilization: number;
  /** Seconds a new replica needs before it serves: scale-ups are issued this long ahead. */
  readonly startupDelaySec: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Which forecast quantile to provision for. Default p90. */
  readonly quantile: QuantileName;
  /** Extra fraction of capacity on top of the forecast (0.1 = 10 % more). Default 0. */
  readonly headroom: number;
  /**
   * How much of the forecast's margin above its median to provision for: the p90 rule uses
   * p50 + marginScale × (p90 − p50). 1 (default) is the forecast's own p90.
   */
  readonly marginScale: number;
  /**
   * Let the planner re-tune target utilisation (between this policy's and 1), margin scale and
   * scale-down stabilisation once a day by replaying the service's own last week (see
   * src/core/simulate/tune.ts). Default true; false keeps the policy exactly as configured.
   */
  readonly autoTune: boolean;
  /**
   * What the tuning pays to remove 1 % of demand unserved, in the oracle's replica cost: it keeps
   * the policy with the lowest cost / oracle + missPrice × unserved % (+ a small price on actions).
   */
  readonly missPrice: number;
  /**
   * The miss budget of that tuning: the share of demand (%) the replayed week may leave unserved.
   * Candidates within it beat those over it; the miss price decides among them. 100: no budget.
   */
  readonly targetUnserved: number;
  /** Most replicas added by one decision (Infinity = no limit). */
  readonly maxStepUp: number;
  /** Most replicas removed by one decision (Infinity = no limit). */
  readonly maxStepDown: number;
  /** A scale-down takes the highest recommendation of this many past seconds (HPA behaviour). */
  readonly scaleDownStabilizationSec: number;
  /** Seconds after any scale action before a scale-down may follow. */
  readonly cooldownSec: number;
  /** Relative tolerance around the target before the reactive rule acts (HPA: 0.1). */
  readonly tolerance: number;
  /** Recent relative forecast error (see planner) above which the forecast is not trusted. */
  readonly maxForecastError: number;
}

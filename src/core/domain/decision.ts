/**
 * What the planner decided and why. Every clamp or rule that set the final number has a stable
 * reason code, in the manner of the Kubernetes HPA's condition reasons.
 */
export type ReasonCode =
  | 'Predictive' // the forecast set the number
  | 'ReactiveFloor' // the load observed now needs more than the forecast says
  | 'ForecastUntrusted' // recent forecast errors too large: reactive number, plus headroom
  | 'NoForecast' // no forecast available (all models failed or no history): reactive number
  | 'WithinTolerance' // change too small to act on: current replicas kept
  | 'ScaleDownStabilized' // a higher recommendation in the stabilisation window holds replicas up
  | 'Cooldown' // a recent action blocks the scale-down
  | 'ScaleUpLimit' // step limit capped the scale-up
  | 'ScaleDownLimit' // step limit capped the scale-down
  | 'TooFewReplicas' // raised to the minimum
  | 'TooManyReplicas' // capped at the maximum
  | 'Scheduled' // a scheduled window's min or max set the number
  | 'HoldOnError'; // the data source or engine failed: current replicas kept

/** One planned step of a replica schedule. */
export interface ScheduleEntry {
  /** When to request the replicas (already moved earlier by the startup delay for scale-ups). */
  readonly at: number;
  /** The time the replicas are for. */
  readonly forTime: number;
  readonly replicas: number;
}

/** The outcome of planning one service at one instant. */
export interface Decision {
  readonly at: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** The rule that set `desiredReplicas` last. */
  readonly reason: ReasonCode;
  /** Every rule that touched the number, in the order applied. */
  readonly reasons: readonly ReasonCode[];
  /** A sentence a person can read in a log or the API. */
  readonly message: string;
  /** Replicas the forecast alone asks for (undefined when there was no forecast). */
  readonly predictive?: number;
  /** Replicas the load observed now asks for. */
  readonly reactive: number;
  /** The replicas planned over the forecast horizon. */
  readonly schedule: readonly ScheduleEntry[];
  /** The scheduled window whose bound set the number (reason `Scheduled`). */
  readonly window?: string;
  /** Several load metrics: the one whose number won (the others needed no more). */
  readonly metric?: string;
  /** Several load metrics: what each asked for, in the service's order. */
  readonly metrics?: readonly MetricOutcome[];
}

/** What one load metric of a service with several asked for. */
export interface MetricOutcome {
  readonly name: string;
  /** Its number before stabilisation, cooldown, step limits and bounds. */
  readonly proposed: number;
  /** What its forecast alone asks for (absent without a forecast). */
  readonly predictive?: number;
  /** What its value observed now asks for. */
  readonly reactive: number;
  /** Its recent relative forecast error, when known. */
  readonly forecastError?: number;
}

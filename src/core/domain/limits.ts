/**
 * The largest sizes prescale accepts, in one place. Each is checked where the size enters (a
 * flag, a file, a Prometheus answer) and refused there with an E_INPUT error that names it, so
 * that no input can make a grid, a forecast or a replay outgrow memory or time.
 */

/**
 * Largest magnitude of a load value. Anything beyond it (and NaN, ±Inf) is dropped where data
 * enters, as a gap: with |v| <= 1e100, sums of squares over the largest grid stay far from
 * Number.MAX_VALUE (1.8e308), so no mean, variance or regression of the models overflows to Inf.
 */
export const MAX_ABS_VALUE = 1e100;

/**
 * Most points of one regular grid: 1,000,000 is about 23 days at 2 s, 1.9 years at 1 minute
 * (8 MB of float64). A file or answer whose span / step exceeds it is refused, not allocated.
 */
export const MAX_GRID_POINTS = 1_000_000;

/** Most forecast steps of one forecast (`--horizon`): about 35 days at 5 minutes. */
export const MAX_HORIZON_STEPS = 10_000;

/** Most rolling origins of a backtest per file (`backtest --origins`). */
export const MAX_ORIGINS = 1_000;

/** Shortest step of a range query, seconds: Prometheus's own timestamps are milliseconds. */
export const MIN_QUERY_STEP_SEC = 1;

/**
 * Longest startup delay of a replica, seconds (one day). A replica that needs longer is not
 * scaled by forecasts of minutes; the replay and the planner's horizon grow with the delay.
 */
export const MAX_STARTUP_DELAY_SEC = 86_400;

/**
 * Most replicas a replay may need at the trace's peak (peak demand / capacity). Far above any
 * real service; a capacity that small is a unit mistake (requests/s against requests/min).
 */
export const MAX_REPLICAS = 1_000_000;

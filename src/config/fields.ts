import type { ScalingPolicy } from '../core/domain/policy.js';
import { LOAD_METRICS, type LoadMetric } from './load-query.js';
import { bool, decimal, duration, oneOf, quantile, text, wholeNumber, type Parser } from './parse.js';

/**
 * Every per-service setting, once: its `ScalingPolicy` property, its YAML key (the config's
 * `defaults:` and `services[]`, and `simulate --policy` files), its `prescale.*` label, the parser
 * both of them use, its default and a line of doc. The config schema, the label table, the
 * defaults, spec resolution and the README's label table are derived from it (as KEDA's scaler
 * settings are one struct whose tags drive parsing, defaults and errors: pkg/scalers/scalersconfig).
 * Adding a policy field is one row here and its use in the planner.
 */
export interface Field<T> {
  /** YAML key; none: not configurable (a built-in constant of the algorithm). */
  readonly key?: string;
  /** `prescale.*` label; none: YAML only, or not configurable. */
  readonly label?: string;
  readonly parser: Parser<T>;
  /** Built-in default; none: the operator must give it (or `need` says what stands in for it). */
  readonly default?: T;
  /** The docs' default column when there is no default and the field is not plainly required. */
  readonly need?: string;
  /** One line for the README's label table. */
  readonly doc: string;
}

/** Bounds of the sizes a policy holds (checked where they enter: labels and YAML alike). */
export const POLICY_LIMITS = Object.freeze({
  /** Replicas of one service, and replicas added or removed at once. */
  replicas: 100_000,
  /** Startup delay, scale-down stabilisation and cooldown, seconds (a day). */
  delaySec: 86_400,
});

const replicas = (min: number) => wholeNumber(min, POLICY_LIMITS.replicas);
const delay = duration({ min: 0, max: POLICY_LIMITS.delaySec });
const nonNegative = decimal({ min: 0, expects: 'a number >= 0' });

/** One row per ScalingPolicy property: the compiler checks none is missing and each type fits. */
type PolicyTable = { readonly [K in keyof ScalingPolicy]: Field<ScalingPolicy[K]> };

export const POLICY_FIELDS = {
  capacityPerReplica: {
    key: 'capacity',
    label: 'prescale.capacity',
    parser: decimal({ min: 0, above: true, expects: 'a positive number' }),
    doc: 'load one replica handles at 100 %',
  },
  minReplicas: {
    key: 'min',
    label: 'prescale.min',
    parser: replicas(0),
    default: 1,
    doc: 'fewest replicas',
  },
  maxReplicas: {
    key: 'max',
    label: 'prescale.max',
    parser: replicas(1),
    default: 100,
    doc: 'most replicas (at least the min)',
  },
  startupDelaySec: {
    key: 'startupDelay',
    label: 'prescale.startup-delay',
    parser: delay,
    default: 300,
    doc: 'time a new replica needs before it serves',
  },
  quantile: {
    key: 'quantile',
    label: 'prescale.quantile',
    parser: quantile,
    default: 'p90',
    doc: 'forecast quantile provisioned for',
  },
  targetUtilization: {
    key: 'targetUtilization',
    label: 'prescale.target-utilization',
    parser: decimal({ min: 0, above: true, max: 1, expects: 'a number in (0, 1]' }),
    default: 0.8,
    doc: 'fraction of capacity to run at',
  },
  headroom: {
    key: 'headroom',
    label: 'prescale.headroom',
    parser: nonNegative,
    default: 0,
    doc: 'extra fraction on top of the forecast',
  },
  marginScale: {
    key: 'marginScale',
    label: 'prescale.margin-scale',
    parser: nonNegative,
    default: 1,
    doc: 'provision for p50 + this × (p90 − p50)',
  },
  autoTune: {
    key: 'autoTune',
    label: 'prescale.auto-tune',
    parser: bool,
    default: true,
    doc: 're-tune utilisation, margin, stabilisation daily',
  },
  // 0.5: the cheapest price whose mean misses stay under a quarter of the reactive HPA's, chosen
  // leave-one-trace-out on the replay bench (docs/benchmarks.md, "Scaling")
  missPrice: {
    key: 'missPrice',
    label: 'prescale.miss-price',
    parser: nonNegative,
    default: 0.5,
    doc: "price of the daily tuning: 1 % of demand unserved weighs as this × the oracle's replicas",
  },
  targetUnserved: {
    key: 'targetUnserved',
    label: 'prescale.target-unserved',
    parser: decimal({ min: 0, max: 100, expects: 'a percentage in [0, 100]' }),
    default: 100,
    doc: 'miss budget of the daily tuning: % of demand its replayed week may leave unserved (100: none)',
  },
  maxStepUp: {
    key: 'maxStepUp',
    label: 'prescale.max-step-up',
    parser: replicas(1),
    default: Number.POSITIVE_INFINITY,
    doc: 'most replicas added at once',
  },
  maxStepDown: {
    key: 'maxStepDown',
    label: 'prescale.max-step-down',
    parser: replicas(1),
    default: Number.POSITIVE_INFINITY,
    doc: 'most replicas removed at once',
  },
  scaleDownStabilizationSec: {
    key: 'stabilization',
    label: 'prescale.stabilization',
    parser: delay,
    default: 1800,
    doc: 'scale-down stabilisation window',
  },
  cooldownSec: {
    key: 'cooldown',
    label: 'prescale.cooldown',
    parser: delay,
    default: 0,
    doc: 'wait after an action before a scale-down',
  },
  maxForecastError: {
    key: 'maxForecastError',
    label: 'prescale.max-forecast-error',
    parser: decimal({ min: 0, above: true, expects: 'a positive number' }),
    default: 0.5,
    doc: 'recent relative forecast error above which the forecast is not trusted',
  },
  tolerance: {
    parser: decimal({ min: 0, max: 1, expects: 'a number in [0, 1]' }),
    default: 0.1,
    doc: "relative tolerance before the reactive rule acts (the HPA's)",
  },
} as const satisfies PolicyTable;

/** The settings of a service that are not its policy: where its load comes from and how it is forecast. */
export const SPEC_FIELDS = {
  query: {
    key: 'query',
    label: 'prescale.query',
    parser: text(16_384),
    need: 'required, or `metric`',
    doc: "PromQL returning one series: the service's load (wins over `metric`)",
  },
  metric: {
    key: 'metric',
    label: 'prescale.metric',
    parser: oneOf<LoadMetric>(LOAD_METRICS),
    need: '—',
    doc: "instead of a query: the service's CPU (capacity in cores) or memory (bytes) from cAdvisor",
  },
  model: {
    key: 'model',
    label: 'prescale.model',
    parser: text(256),
    default: 'auto',
    doc: 'forecasting model, or `auto` to choose by backtest',
  },
} as const satisfies Record<string, Field<string>>;

export type PolicyProperty = keyof ScalingPolicy;

/** The policy fields, in table order. */
export const POLICY_ENTRIES = Object.entries(POLICY_FIELDS) as Array<[PolicyProperty, Field<unknown>]>;

type Table = typeof POLICY_FIELDS;
type KeyOf<K extends PolicyProperty> = Table[K] extends { key: infer Y extends string } ? Y : never;

/** A policy as YAML spells it (what the config's `defaults:` and a `--policy` file hold), parsed. */
export type PolicyKeys = { readonly [K in PolicyProperty as KeyOf<K>]?: ScalingPolicy[K] };

/** What labels and config entries say about one service; every field optional until merged. */
export type ServiceOverrides = { -readonly [K in keyof ScalingPolicy]?: ScalingPolicy[K] } & {
  query?: string;
  metric?: LoadMetric;
  model?: string;
};

/** The overrides a parsed YAML object (keys as in the table) holds. */
export function overridesFromKeys(c: Readonly<Record<string, unknown>>): ServiceOverrides {
  const o: Record<string, unknown> = {};
  for (const [prop, f] of [...POLICY_ENTRIES, ...Object.entries(SPEC_FIELDS)]) {
    if (f.key !== undefined && c[f.key] !== undefined) o[prop] = c[f.key];
  }
  return o as ServiceOverrides;
}

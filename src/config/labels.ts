import type { QuantileName } from '../core/domain/forecast.js';
import type { ScalingPolicy } from '../core/domain/policy.js';

/**
 * The `prescale.*` labels a service opts in with, declared as a table: label, field, parser.
 * Each parser returns the value or a sentence saying what is wrong; errors name the label and
 * the value, e.g. `prescale.capacity=abc: not a positive number`.
 */

/** What labels (and config entries) say about one service; every field optional until merged. */
export interface ServiceOverrides {
  query?: string;
  model?: string;
  capacityPerReplica?: number;
  minReplicas?: number;
  maxReplicas?: number;
  startupDelaySec?: number;
  quantile?: QuantileName;
  targetUtilization?: number;
  headroom?: number;
  marginScale?: number;
  autoTune?: boolean;
  maxStepUp?: number;
  maxStepDown?: number;
  scaleDownStabilizationSec?: number;
  cooldownSec?: number;
}

type Parse<T> = (raw: string) => T | { error: string };

const positive: Parse<number> = (raw) => {
  const v = Number(raw);
  return raw.trim() !== '' && Number.isFinite(v) && v > 0 ? v : { error: 'not a positive number' };
};
const count: Parse<number> = (raw) => {
  const v = Number(raw);
  return /^\s*\d+\s*$/.test(raw) && Number.isSafeInteger(v) ? v : { error: 'not a whole number >= 0' };
};
const fraction: Parse<number> = (raw) => {
  const v = Number(raw);
  return raw.trim() !== '' && v > 0 && v <= 1 ? v : { error: 'not a number in (0, 1]' };
};
const nonNegative: Parse<number> = (raw) => {
  const v = Number(raw);
  return raw.trim() !== '' && Number.isFinite(v) && v >= 0 ? v : { error: 'not a number >= 0' };
};
/** Seconds: `90`, `90s`, `5m`, `1h`. */
export const duration: Parse<number> = (raw) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(raw);
  if (!m) return { error: 'not a duration (e.g. 90, 90s, 5m, 1h)' };
  return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
};
const quantile: Parse<QuantileName> = (raw) => (raw === 'p50' || raw === 'p90' ? raw : { error: 'not p50 or p90' });
const bool: Parse<boolean> = (raw) =>
  /^\s*true\s*$/i.test(raw) ? true : /^\s*false\s*$/i.test(raw) ? false : { error: 'not true or false' };
const text: Parse<string> = (raw) => (raw.trim() ? raw.trim() : { error: 'empty' });

/** label → field and parser. */
export const LABELS: ReadonlyArray<readonly [string, keyof ServiceOverrides, Parse<unknown>]> = [
  ['prescale.query', 'query', text],
  ['prescale.model', 'model', text],
  ['prescale.capacity', 'capacityPerReplica', positive],
  ['prescale.min', 'minReplicas', count],
  ['prescale.max', 'maxReplicas', count],
  ['prescale.startup-delay', 'startupDelaySec', duration],
  ['prescale.quantile', 'quantile', quantile],
  ['prescale.target-utilization', 'targetUtilization', fraction],
  ['prescale.headroom', 'headroom', nonNegative],
  ['prescale.margin-scale', 'marginScale', nonNegative],
  ['prescale.auto-tune', 'autoTune', bool],
  ['prescale.max-step-up', 'maxStepUp', count],
  ['prescale.max-step-down', 'maxStepDown', count],
  ['prescale.stabilization', 'scaleDownStabilizationSec', duration],
  ['prescale.cooldown', 'cooldownSec', duration],
];

/** The label that opts a service in. */
export const ENABLE_LABEL = 'prescale.enable';

/** Parses the `prescale.*` labels of a service. Unknown `prescale.*` labels are errors too (typos). */
export function parseLabels(labels: Readonly<Record<string, string>>): {
  overrides: ServiceOverrides;
  errors: string[];
} {
  const overrides: Record<string, unknown> = {};
  const errors: string[] = [];
  const known = new Set([ENABLE_LABEL, ...LABELS.map(([l]) => l)]);
  for (const [label, value] of Object.entries(labels)) {
    if (label.startsWith('prescale.') && !known.has(label)) errors.push(`${label}=${value}: unknown label`);
  }
  for (const [label, field, parse] of LABELS) {
    const raw = labels[label];
    if (raw === undefined) continue;
    const v = parse(raw);
    if (v && typeof v === 'object' && 'error' in v) errors.push(`${label}=${raw}: ${(v as { error: string }).error}`);
    else overrides[field] = v;
  }
  return { overrides: overrides as ServiceOverrides, errors };
}

/** Policy fields of the overrides (the rest is query and model). */
export function policyFields(o: ServiceOverrides): Partial<ScalingPolicy> {
  const { query: _q, model: _m, ...policy } = o;
  return policy;
}

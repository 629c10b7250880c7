import { SPEC_FIELDS, POLICY_FIELDS } from './fields.js';
import type { Parsed } from './parse.js';

/**
 * Several load metrics of one service: `metrics: [{ name, query, capacity }]` in a `services:`
 * entry, or the labels `prescale.query.<name>` with `prescale.capacity.<name>`. Each is forecast
 * and planned on its own with its own capacity; the service runs the most replicas any of them
 * needs. The plain `prescale.query` / `prescale.capacity` remain the form with one metric.
 */

/** One load metric of a service. */
export interface MetricSpec {
  /** Short name: the label suffix, the `metric` label of /metrics, the decision's `metric`. */
  readonly name: string;
  /** PromQL returning one series. */
  readonly query: string;
  /** Load one replica handles at 100 %, in this query's unit. */
  readonly capacity: number;
}

/** Bounds where metrics enter: a few per service (each is a fetch, a fit and a series of /metrics). */
export const METRIC_LIMITS = Object.freeze({ perService: 8, nameLength: 32 });

const NAME = /^[a-z][a-z0-9_]*$/;
export const QUERY_LABEL_PREFIX = `${SPEC_FIELDS.query.label}.`;
export const CAPACITY_LABEL_PREFIX = `${POLICY_FIELDS.capacityPerReplica.label}.`;

/** What is wrong with a metric name, or undefined. */
export function metricNameProblem(name: string): string | undefined {
  if (name.length > METRIC_LIMITS.nameLength) return `a metric name is at most ${METRIC_LIMITS.nameLength} characters`;
  return NAME.test(name) ? undefined : 'a metric name is lower-case letters, digits and _, starting with a letter';
}

/** Checks a whole list: names valid and distinct, at most METRIC_LIMITS.perService. */
function checkList(metrics: readonly MetricSpec[], where: string): string[] {
  const errors: string[] = [];
  if (metrics.length > METRIC_LIMITS.perService) {
    errors.push(`${where}: ${metrics.length} metrics, at most ${METRIC_LIMITS.perService} per service`);
  }
  const seen = new Set<string>();
  for (const m of metrics) {
    if (seen.has(m.name)) errors.push(`${where}: two metrics named ${m.name}`);
    seen.add(m.name);
  }
  return errors;
}

/** One `metrics:` entry of the YAML config, read with the label parsers. */
export function parseMetricEntry(raw: unknown): Parsed<MetricSpec> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'expected { name, query, capacity }' };
  }
  const o = raw as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => !['name', 'query', 'capacity'].includes(k));
  if (extra.length) return { ok: false, error: `unknown key ${extra.join(', ')} (a metric has name, query, capacity)` };
  const name = typeof o.name === 'string' ? o.name : '';
  const bad = typeof o.name === 'string' ? metricNameProblem(name) : 'name: missing';
  if (bad) return { ok: false, error: bad };
  const query = SPEC_FIELDS.query.parser.parse(o.query);
  if (!query.ok) return { ok: false, error: `${name}: query: ${o.query === undefined ? 'missing' : query.error}` };
  const capacity = POLICY_FIELDS.capacityPerReplica.parser.parse(o.capacity);
  if (!capacity.ok) {
    return { ok: false, error: `${name}: capacity: ${o.capacity === undefined ? 'missing' : capacity.error}` };
  }
  return { ok: true, value: { name, query: query.value, capacity: capacity.value } };
}

/** A whole `metrics:` list of the YAML config. */
export function parseMetricList(raw: unknown): Parsed<readonly MetricSpec[]> {
  if (!Array.isArray(raw)) return { ok: false, error: 'expected a list of { name, query, capacity }' };
  const out: MetricSpec[] = [];
  for (const [i, entry] of raw.entries()) {
    const r = parseMetricEntry(entry);
    if (!r.ok) return { ok: false, error: `${i}: ${r.error}` };
    out.push(r.value);
  }
  const errors = checkList(out, 'metrics');
  return errors.length ? { ok: false, error: errors.join('; ') } : { ok: true, value: out };
}

/** True for the labels this file reads (they are not unknown labels). */
export function isMetricLabel(label: string): boolean {
  return label.startsWith(QUERY_LABEL_PREFIX) || label.startsWith(CAPACITY_LABEL_PREFIX);
}

/**
 * The metrics a service's labels name, in the order of their names: every
 * `prescale.query.<name>` needs its `prescale.capacity.<name>` and the other way round. Undefined
 * when the labels name none. Errors name the label and its value.
 */
export function metricsFromLabels(labels: Readonly<Record<string, string>>): {
  metrics?: readonly MetricSpec[];
  errors: string[];
} {
  const queries = new Map<string, string>();
  const capacities = new Map<string, number>();
  const errors: string[] = [];
  for (const [label, value] of Object.entries(labels)) {
    const isQuery = label.startsWith(QUERY_LABEL_PREFIX);
    if (!isQuery && !label.startsWith(CAPACITY_LABEL_PREFIX)) continue;
    const name = label.slice((isQuery ? QUERY_LABEL_PREFIX : CAPACITY_LABEL_PREFIX).length);
    const bad = metricNameProblem(name);
    if (bad) {
      errors.push(`${label}=${value}: ${bad}`);
      continue;
    }
    const parsed = (isQuery ? SPEC_FIELDS.query.parser : POLICY_FIELDS.capacityPerReplica.parser).parse(value);
    if (!parsed.ok) errors.push(`${label}=${value}: ${parsed.error}`);
    else if (isQuery) queries.set(name, parsed.value as string);
    else capacities.set(name, parsed.value as number);
  }
  const names = [...new Set([...queries.keys(), ...capacities.keys()])].sort();
  if (!names.length) return { errors };
  const metrics: MetricSpec[] = [];
  for (const name of names) {
    const query = queries.get(name);
    const capacity = capacities.get(name);
    if (query === undefined)
      errors.push(`${QUERY_LABEL_PREFIX}${name}: missing (${CAPACITY_LABEL_PREFIX}${name} is set)`);
    else if (capacity === undefined) {
      errors.push(`${CAPACITY_LABEL_PREFIX}${name}: missing (the load one replica handles in ${name})`);
    } else metrics.push({ name, query, capacity });
  }
  errors.push(...checkList(metrics, 'labels'));
  return { metrics, errors };
}

import { configName, type ScaleTarget } from '../core/domain/target.js';
import type { ScalingPolicy } from '../core/domain/policy.js';
import { DEFAULT_POLICY } from './defaults.js';
import { SPEC_FIELDS, overridesFromKeys, type ServiceOverrides } from './fields.js';
import { parseLabels } from './labels.js';
import { metricsFromLabels, type MetricSpec } from './metrics.js';
import { loadQuery } from './load-query.js';
import { SCHEDULE_LIMITS } from './schedules.js';
import type { PolicyConfig, PrescaleConfig, ServiceConfig } from './schema.js';
import type { ExcludeRule } from '../core/series/mask.js';
import type { ScheduleWindow } from '../core/schedule/windows.js';

/** Everything the cycle needs to plan one service. */
export interface ServiceSpec {
  readonly key: string;
  /** The load query; with several metrics, the first one's. */
  readonly query: string;
  readonly model: string;
  /** With several metrics, the policy's capacity is the first metric's. */
  readonly policy: ScalingPolicy;
  /** Several load metrics (`metrics:`, `prescale.query.<name>`); absent: the one of `query`. */
  readonly metrics?: readonly MetricSpec[];
  /** Scheduled windows (config `schedules:` and `prescale.schedule.<name>` labels), by name. */
  readonly schedules?: readonly ScheduleWindow[];
  /** Event masks of the config (`exclude:` of defaults and entry); those added at run time are the state's. */
  readonly exclude?: readonly ExcludeRule[];
}

/**
 * The windows of a service: the config's `defaults:`, then its entry, then its labels; a later
 * one of the same name replaces an earlier one, as the policy fields do.
 */
function mergeSchedules(...lists: Array<readonly ScheduleWindow[] | undefined>): ScheduleWindow[] {
  const byName = new Map<string, ScheduleWindow>();
  for (const list of lists) for (const w of list ?? []) byName.set(w.name, w);
  return [...byName.values()];
}

/** What is wrong with a window under a policy: alone, its range must hold replicas. */
function scheduleProblems(schedules: readonly ScheduleWindow[], policy: ScalingPolicy): string[] {
  const errors: string[] = [];
  if (schedules.length > SCHEDULE_LIMITS.perService) {
    errors.push(`${schedules.length} schedules, above the limit of ${SCHEDULE_LIMITS.perService}`);
  }
  for (const w of schedules) {
    const min = w.min ?? policy.minReplicas;
    const max = w.max ?? policy.maxReplicas;
    if (min > max) {
      errors.push(
        `schedule ${w.name}: min ${min}${w.min === undefined ? ' (the policy)' : ''} is above max ${max}${w.max === undefined ? ' (the policy)' : ''}`,
      );
    }
  }
  return errors;
}

/** What a config entry (`defaults:`, a `services:` entry, a policy file) says, as overrides. */
export function overridesFromConfig(c: PolicyConfig | ServiceConfig): ServiceOverrides {
  return overridesFromKeys(c);
}

/** The config entry of a target: by Swarm service name, or `project/service` for Compose. */
function configEntry(config: PrescaleConfig, target: ScaleTarget) {
  const name = configName(target);
  return config.services.find((s) => s.name === name);
}

/**
 * Resolves a target's spec: built-in defaults, then the config file's `defaults:`, then its
 * `services:` entry, then the service's labels (labels win), field by field. Returns the
 * problems instead when a label is invalid or something required is missing.
 */
export function resolveSpec(target: ScaleTarget, config: PrescaleConfig): { spec?: ServiceSpec; errors: string[] } {
  const { overrides: labels, schedules: labelled, errors } = parseLabels(target.labels);
  const entry = configEntry(config, target);
  const fromLabels = metricsFromLabels(target.labels);
  errors.push(...fromLabels.errors);
  // labels win as a whole list: a metric is a query and its capacity, never half of each source
  const metrics = fromLabels.metrics ?? entry?.metrics;
  const merged: ServiceOverrides = {
    ...overridesFromConfig(config.defaults),
    ...(entry ? overridesFromConfig(entry) : {}),
    ...labels,
  };
  const exclude = [...(config.defaults.exclude ?? []), ...(entry?.exclude ?? [])];
  const windowsUnder = (policy: ScalingPolicy) => {
    const schedules = mergeSchedules(config.defaults.schedules, entry?.schedules, labelled);
    errors.push(...scheduleProblems(schedules, policy));
    return schedules;
  };
  if (metrics?.length) {
    // a capacity in `defaults:` is every service's and does not clash with a service's metrics
    const own = { ...(entry ? overridesFromConfig(entry) : {}), ...labels };
    const made = withMetrics(target, merged, own.capacityPerReplica !== undefined, metrics, errors);
    if (!made) return { errors };
    const schedules = windowsUnder(made.policy);
    if (errors.length) return { errors };
    return { spec: { ...made, schedules, exclude }, errors };
  }
  const built = loadQuery(merged, target);
  // an invalid prescale.metric is already named by its own error
  const metricRefused = merged.metric === undefined && target.labels['prescale.metric'] !== undefined;
  if ('error' in built && !metricRefused) errors.push(built.error);
  if (merged.capacityPerReplica === undefined) errors.push('prescale.capacity: missing (the load one replica handles)');
  // query and metric say where the load comes from: not policy
  const { query: _query, metric: _metric, model, ...policyOverrides } = merged;
  const policy = policyOf(policyOverrides, merged.capacityPerReplica ?? Number.NaN, errors);
  const schedules = windowsUnder(policy);
  if (errors.length || 'error' in built) return { errors };
  return {
    spec: {
      key: target.key,
      query: built.query,
      model: model ?? SPEC_FIELDS.model.default,
      policy,
      schedules,
      exclude,
    },
    errors,
  };
}

function policyOf(overrides: ServiceOverrides, capacityPerReplica: number, errors: string[]): ScalingPolicy {
  const policy: ScalingPolicy = Object.freeze({ ...DEFAULT_POLICY, ...overrides, capacityPerReplica });
  if (policy.minReplicas > policy.maxReplicas) {
    errors.push(`prescale.min=${policy.minReplicas} is above prescale.max=${policy.maxReplicas}`);
  }
  return policy;
}

/** A spec with several metrics: the plain query, metric and capacity would be a second, unnamed one. */
function withMetrics(
  target: ScaleTarget,
  merged: ServiceOverrides,
  ownCapacity: boolean,
  metrics: readonly MetricSpec[],
  errors: string[],
): ServiceSpec | undefined {
  const names = metrics.map((m) => m.name).join(', ');
  if (merged.query !== undefined) {
    errors.push(
      `prescale.query: set beside the metrics ${names}: give the load as one metric more, or one query alone`,
    );
  }
  if (merged.metric !== undefined) {
    errors.push(`prescale.metric: set beside the metrics ${names}: give each as prescale.query.<name>`);
  }
  if (ownCapacity) {
    errors.push(`prescale.capacity: set beside the metrics ${names}: each metric has its own capacity`);
  }
  const { query: _query, metric: _metric, model, capacityPerReplica: _c, ...policyOverrides } = merged;
  const policy = policyOf(policyOverrides, metrics[0].capacity, errors);
  if (errors.length) return undefined;
  return { key: target.key, query: metrics[0].query, model: model ?? SPEC_FIELDS.model.default, policy, metrics };
}

import { configName, type ScaleTarget } from '../core/domain/target.js';
import type { ScalingPolicy } from '../core/domain/policy.js';
import { DEFAULT_POLICY } from './defaults.js';
import { SPEC_FIELDS, overridesFromKeys, type ServiceOverrides } from './fields.js';
import { parseLabels } from './labels.js';
import { metricsFromLabels, type MetricSpec } from './metrics.js';
import type { PolicyConfig, PrescaleConfig, ServiceConfig } from './schema.js';

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
  const { overrides: labels, errors } = parseLabels(target.labels);
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
  if (metrics?.length) {
    // a capacity in `defaults:` is every service's and does not clash with a service's metrics
    const own = { ...(entry ? overridesFromConfig(entry) : {}), ...labels };
    return withMetrics(target, merged, own.capacityPerReplica !== undefined, metrics, errors);
  }
  if (!merged.query) errors.push('prescale.query: missing (the PromQL of the service load)');
  if (merged.capacityPerReplica === undefined) errors.push('prescale.capacity: missing (the load one replica handles)');
  const { query, model, ...policyOverrides } = merged;
  const policy = policyOf(policyOverrides, merged.capacityPerReplica ?? Number.NaN, errors);
  if (errors.length) return { errors };
  return {
    spec: { key: target.key, query: query as string, model: model ?? SPEC_FIELDS.model.default, policy },
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

/** A spec with several metrics: the plain query and capacity would be a second, unnamed one. */
function withMetrics(
  target: ScaleTarget,
  merged: ServiceOverrides,
  ownCapacity: boolean,
  metrics: readonly MetricSpec[],
  errors: string[],
): { spec?: ServiceSpec; errors: string[] } {
  const names = metrics.map((m) => m.name).join(', ');
  if (merged.query !== undefined) {
    errors.push(
      `prescale.query: set beside the metrics ${names}: give the load as one metric more, or one query alone`,
    );
  }
  if (ownCapacity) {
    errors.push(`prescale.capacity: set beside the metrics ${names}: each metric has its own capacity`);
  }
  const { query: _query, model, capacityPerReplica: _c, ...policyOverrides } = merged;
  const policy = policyOf(policyOverrides, metrics[0].capacity, errors);
  if (errors.length) return { errors };
  const spec = { key: target.key, query: metrics[0].query, model: model ?? SPEC_FIELDS.model.default, policy };
  return { spec: { ...spec, metrics }, errors };
}

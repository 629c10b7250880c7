import { configName, type ScaleTarget } from '../core/domain/target.js';
import type { ScalingPolicy } from '../core/domain/policy.js';
import { DEFAULT_POLICY } from './defaults.js';
import { SPEC_FIELDS, overridesFromKeys, type ServiceOverrides } from './fields.js';
import { parseLabels } from './labels.js';
import { loadQuery } from './load-query.js';
import type { PolicyConfig, PrescaleConfig, ServiceConfig } from './schema.js';

/** Everything the cycle needs to plan one service. */
export interface ServiceSpec {
  readonly key: string;
  readonly query: string;
  readonly model: string;
  readonly policy: ScalingPolicy;
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
  const merged: ServiceOverrides = {
    ...overridesFromConfig(config.defaults),
    ...(entry ? overridesFromConfig(entry) : {}),
    ...labels,
  };
  const built = loadQuery(merged, target);
  // an invalid prescale.metric is already named by its own error
  const metricRefused = merged.metric === undefined && target.labels['prescale.metric'] !== undefined;
  if ('error' in built && !metricRefused) errors.push(built.error);
  if (merged.capacityPerReplica === undefined) errors.push('prescale.capacity: missing (the load one replica handles)');
  // query and metric say where the load comes from: not policy
  const { query: _query, metric: _metric, model, ...policyOverrides } = merged;
  const policy: ScalingPolicy = Object.freeze({
    ...DEFAULT_POLICY,
    ...policyOverrides,
    capacityPerReplica: merged.capacityPerReplica ?? Number.NaN,
  });
  if (policy.minReplicas > policy.maxReplicas) {
    errors.push(`prescale.min=${policy.minReplicas} is above prescale.max=${policy.maxReplicas}`);
  }
  if (errors.length || 'error' in built) return { errors };
  return { spec: { key: target.key, query: built.query, model: model ?? SPEC_FIELDS.model.default, policy }, errors };
}

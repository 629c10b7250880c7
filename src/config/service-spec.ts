import { configName, type ScaleTarget } from '../core/domain/target.js';
import type { ScalingPolicy } from '../core/domain/policy.js';
import { DEFAULT_POLICY } from './defaults.js';
import { parseLabels, type ServiceOverrides } from './labels.js';
import type { PolicyConfig, PrescaleConfig } from './schema.js';

/** Everything the cycle needs to plan one service. */
export interface ServiceSpec {
  readonly key: string;
  readonly query: string;
  readonly model: string;
  readonly policy: ScalingPolicy;
}

export function overridesFromConfig(c: PolicyConfig & { query?: string }): ServiceOverrides {
  const o: ServiceOverrides = {};
  if (c.query !== undefined) o.query = c.query;
  if (c.model !== undefined) o.model = c.model;
  if (c.capacity !== undefined) o.capacityPerReplica = c.capacity;
  if (c.min !== undefined) o.minReplicas = c.min;
  if (c.max !== undefined) o.maxReplicas = c.max;
  if (c.startupDelay !== undefined) o.startupDelaySec = c.startupDelay;
  if (c.quantile !== undefined) o.quantile = c.quantile;
  if (c.targetUtilization !== undefined) o.targetUtilization = c.targetUtilization;
  if (c.headroom !== undefined) o.headroom = c.headroom;
  if (c.marginScale !== undefined) o.marginScale = c.marginScale;
  if (c.autoTune !== undefined) o.autoTune = c.autoTune;
  if (c.maxStepUp !== undefined) o.maxStepUp = c.maxStepUp;
  if (c.maxStepDown !== undefined) o.maxStepDown = c.maxStepDown;
  if (c.stabilization !== undefined) o.scaleDownStabilizationSec = c.stabilization;
  if (c.cooldown !== undefined) o.cooldownSec = c.cooldown;
  return o;
}

/** The config entry of a target: by Swarm service name, or `project/service` for Compose. */
function configEntry(config: PrescaleConfig, target: ScaleTarget) {
  const name = configName(target);
  return config.services.find((s) => s.name === name);
}

/**
 * Resolves a target's spec: built-in defaults, then the config file's `defaults:`, then its
 * `services:` entry, then the service's labels (labels win). Returns the problems instead when
 * a label is invalid or something required is missing.
 */
export function resolveSpec(target: ScaleTarget, config: PrescaleConfig): { spec?: ServiceSpec; errors: string[] } {
  const { overrides: labels, errors } = parseLabels(target.labels);
  const entry = configEntry(config, target);
  const merged: ServiceOverrides = {
    ...overridesFromConfig(config.defaults),
    ...(entry ? overridesFromConfig(entry) : {}),
    ...labels,
  };
  if (!merged.query) errors.push('prescale.query: missing (the PromQL of the service load)');
  if (merged.capacityPerReplica === undefined) errors.push('prescale.capacity: missing (the load one replica handles)');
  const { query, model, ...policyOverrides } = merged;
  const policy: ScalingPolicy = Object.freeze({
    ...DEFAULT_POLICY,
    maxForecastError: config.defaults.maxForecastError ?? DEFAULT_POLICY.maxForecastError,
    ...policyOverrides,
    capacityPerReplica: merged.capacityPerReplica ?? Number.NaN,
  });
  if (policy.minReplicas > policy.maxReplicas) {
    errors.push(`prescale.min=${policy.minReplicas} is above prescale.max=${policy.maxReplicas}`);
  }
  if (errors.length) return { errors };
  return { spec: { key: target.key, query: query as string, model: model ?? 'auto', policy }, errors };
}

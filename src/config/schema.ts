import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PrescaleError } from '../core/domain/errors.js';
import { DEFAULT_CYCLE } from './defaults.js';

/**
 * The YAML configuration file, one schema. Loaded once, validated, frozen. Errors name the file
 * and the field path.
 */

const policy = z
  .object({
    capacity: z.number().positive(),
    min: z.number().int().min(0),
    max: z.number().int().min(1),
    startupDelay: z.number().min(0),
    quantile: z.enum(['p50', 'p90']),
    targetUtilization: z.number().gt(0).max(1),
    headroom: z.number().min(0),
    marginScale: z.number().min(0),
    autoTune: z.boolean(),
    maxStepUp: z.number().int().min(1),
    maxStepDown: z.number().int().min(1),
    stabilization: z.number().min(0),
    cooldown: z.number().min(0),
    maxForecastError: z.number().positive(),
    model: z.string().min(1),
  })
  .partial()
  .strict();

const service = policy
  .extend({
    /** Swarm service name, or `project/service` for Compose. */
    name: z.string().min(1),
    query: z.string().min(1).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    prometheus: z.url().optional(),
    apiToken: z.string().min(8).optional(),
    stateDir: z.string().optional(),
    cycle: z
      .object({
        step: z.number().int().positive().default(DEFAULT_CYCLE.stepSec),
        history: z.number().int().positive().default(DEFAULT_CYCLE.historySec),
        horizon: z.number().int().positive().default(DEFAULT_CYCLE.horizonSec),
        schedule: z.string().default(DEFAULT_CYCLE.schedule),
        refit: z.number().int().positive().default(DEFAULT_CYCLE.refitSec),
      })
      .strict()
      .prefault({}),
    defaults: policy.prefault({}),
    services: z.array(service).default([]),
  })
  .strict();

export type PrescaleConfig = z.infer<typeof configSchema>;
export type ServiceConfig = z.infer<typeof service>;
export type PolicyConfig = z.infer<typeof policy>;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}

/** Validates a parsed config object; `where` names its origin in errors. */
export function parseConfig(raw: unknown, where: string): PrescaleConfig {
  const res = configSchema.safeParse(raw ?? {});
  if (!res.success) {
    const issues = res.error.issues.map((i) => `${where}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new PrescaleError('E_CONFIG', issues.join('\n'));
  }
  return deepFreeze(res.data);
}

/** Reads and validates a YAML config file. */
export function loadConfig(path: string | undefined): PrescaleConfig {
  if (!path) return parseConfig({}, '(defaults)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PrescaleError('E_CONFIG', `${path}: cannot read the config file`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new PrescaleError('E_CONFIG', `${path}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(raw, path);
}

/** A scaling policy on its own (the keys of the config's `defaults:`), e.g. for `simulate --policy`. */
export function loadPolicyFile(path: string): PolicyConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new PrescaleError(
      'E_CONFIG',
      e.code ? `${path}: cannot read the policy file (${e.code})` : `${path}: not valid YAML: ${e.message}`,
      { cause: err },
    );
  }
  const res = policy.safeParse(raw ?? {});
  if (!res.success) {
    throw new PrescaleError(
      'E_CONFIG',
      res.error.issues.map((i) => `${path}: ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n'),
    );
  }
  return Object.freeze(res.data);
}

import type { PrometheusAuth } from '../adapters/sources/prometheus/auth.js';
import type { Actuator, Engine, EngineFactory, EngineWatch } from '../adapters/engines/port.js';
import { DEFAULT_ENGINES, ENGINES } from '../adapters/engines/registry.js';
import type { MetricsSource } from '../adapters/sources/port.js';
import { DEFAULT_SOURCE, SOURCES, type BuiltSource, type SourceFactory } from '../adapters/sources/registry.js';
import type { PrescaleConfig } from '../config/schema.js';
import { PrescaleError } from '../core/domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { DryRunActuator } from './dry-run.js';
import type { LeaseStore } from './leader.js';

/** Options that pick the edges: where load comes from, which engines, apply or recommend. */
export interface EdgeOptions {
  /** `--prometheus`: the source's URL, which wins over the config file. */
  readonly prometheus?: string;
  /** Credentials for the source, from flags or the environment. */
  readonly prometheusAuth?: PrometheusAuth;
  readonly apply: boolean;
  /** The source, a key of SOURCES (src/adapters/sources/registry.ts). Default `prometheus`. */
  readonly source?: string;
  /** The engines, keys of ENGINES (src/adapters/engines/registry.ts). Default `docker`. */
  readonly engines?: readonly string[];
}

/** `serve --embedded`: the sample replayed as live, planned as one in-memory service. */
export const EMBEDDED = Object.freeze({ source: 'replay', engines: Object.freeze(['memory']) });

/** Everything at the edges of one instance. */
export interface Edges {
  readonly source: MetricsSource;
  /** Where the load comes from, for people. */
  readonly where: string;
  /** Every engine's actuators, real ones (see `withDryRun`). */
  readonly actuators: readonly Actuator[];
  /** Every engine's changes as one watch; undefined when no engine has one. */
  readonly watch?: EngineWatch;
  /** With `apply`: where the leader lease lives, the first engine's that keeps one. */
  readonly leaseStore?: LeaseStore;
}

/** Where the wiring finds its engines and sources, and the environment they read; tests give their own. */
export interface WiringContext {
  readonly env?: NodeJS.ProcessEnv;
  readonly engines?: Readonly<Record<string, EngineFactory>>;
  readonly sources?: Readonly<Record<string, SourceFactory>>;
}

function known(kind: string, what: string, registry: Readonly<Record<string, unknown>>): void {
  if (!Object.hasOwn(registry, kind))
    throw new PrescaleError('E_INPUT', `unknown ${what} "${kind}" (known: ${Object.keys(registry).join(', ')})`);
}

/** The configured source (Prometheus from the flag, else the config file, by default). */
export function buildSource(
  opts: EdgeOptions,
  config: PrescaleConfig,
  logger: Logger,
  { sources = SOURCES }: WiringContext = {},
): BuiltSource {
  const kind = opts.source ?? DEFAULT_SOURCE;
  known(kind, 'source', sources);
  return sources[kind]({ url: opts.prometheus, auth: opts.prometheusAuth, config, logger });
}

/** The configured engines (DOCKER_HOST's Docker engine by default), in order. */
export function buildEngines(
  opts: EdgeOptions,
  logger: Logger,
  { env = process.env, engines = ENGINES }: WiringContext = {},
): Engine[] {
  const kinds = opts.engines ?? DEFAULT_ENGINES;
  for (const kind of kinds) known(kind, 'engine', engines);
  return kinds.map((kind) => engines[kind]({ logger, env }));
}

/** The source, then the engines; no I/O until the runtime asks. */
export function buildEdges(opts: EdgeOptions, config: PrescaleConfig, logger: Logger, ctx: WiringContext = {}): Edges {
  const { source, where } = buildSource(opts, config, logger, ctx);
  const engines = buildEngines(opts, logger, ctx);
  return {
    source,
    where,
    actuators: engines.flatMap((e) => e.actuators),
    watch: watchAll(engines.flatMap((e) => (e.watch ? [e.watch] : []))),
    leaseStore: opts.apply ? engines.find((e) => e.leaseStore)?.leaseStore : undefined,
  };
}

/** `actuators` as they are when `apply`, else wrapped in dry-run (changes recorded, never sent). */
export function withDryRun(actuators: readonly Actuator[], apply: boolean, logger: Logger): Actuator[] {
  return apply ? [...actuators] : actuators.map((a) => new DryRunActuator(a, logger.child({ component: 'dry-run' })));
}

/** Several watches as one. */
function watchAll(watches: readonly EngineWatch[]): EngineWatch | undefined {
  if (watches.length <= 1) return watches[0];
  return {
    start: (onChange) => watches.forEach((w) => w.start(onChange)),
    stop: async () => void (await Promise.all(watches.map((w) => w.stop()))),
  };
}

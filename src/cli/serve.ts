import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AUTH_ENV, resolveAuth } from '../adapters/sources/prometheus/auth.js';
import { loadTrainedModels } from '../adapters/models/load.js';
import { buildEdges, EMBEDDED } from '../runtime/wiring.js';
import { PrescaleService } from '../runtime/service.js';
import { loadConfig, parseConfig, type PrescaleConfig } from '../config/schema.js';
import { printSettings, resolveSettings, type Resolved } from '../config/settings.js';
import { systemClock } from '../core/domain/clock.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { FileHistoryStore } from '../runtime/history-store.js';
import { FileStateStore, MemoryStateStore } from '../runtime/state.js';
import { FileMaskStore } from '../runtime/masks.js';
import type { CliOptions } from './main.js';
import { addSettingFlags, SERVE_SETTINGS } from './serve-settings.js';

/** Longest a SIGTERM may take before the process exits regardless, ms. */
const STOP_BOUND_MS = 4500;

export { DEFAULT_STATE_DIR } from './serve-settings.js';

/** The sample history of the embedded default, shipped in data/. */
export { SAMPLE_HISTORY } from '../adapters/sources/replay/source.js';

/** The settings of one `serve`, resolved (SERVE_SETTINGS). */
interface ServeOptions {
  apply: boolean;
  prometheus?: string;
  prometheusUser?: string;
  prometheusPassword?: string;
  prometheusPasswordFile?: string;
  prometheusToken?: string;
  prometheusTokenFile?: string;
  apiToken?: string;
  port: number;
  host: string;
  config?: string;
  stateDir?: string;
  schedule: string;
  embedded: boolean;
  models: string;
  lockTtl: number;
}

/**
 * `prescale serve [--apply] [--prometheus URL] [--port PORT] [--config FILE]` — a contract: the
 * long-running service (scheduled cycle, recommendations API, /metrics) over the Swarm and
 * Compose services of the engine DOCKER_HOST names, re-discovered on engine events. With
 * --apply, only the instance holding the leader lock in the engine applies; the others recommend
 * (`passive`). Every flag also has a `PRESCALE_*` variable (SERVE_SETTINGS); the API token comes
 * from PRESCALE_API_TOKEN, PRESCALE_API_TOKEN_FILE or the config. `--print-config` prints the
 * settings in force and where each came from, then exits. SIGTERM finishes the running cycle,
 * releases the lock and exits 0.
 */
export function registerServe(program: Command, cli: CliOptions = {}): void {
  const serve = program
    .command('serve')
    .description('Run the planning cycle on a schedule and serve the recommendations API')
    .option('--print-config', 'print the settings in force (secrets hidden) and where each came from, then exit');
  addSettingFlags(serve).action(async (flags: Record<string, unknown>) => {
    const { settings, config, resolved } = serveSettings(flags, process.env);
    if (flags.printConfig) {
      process.stdout.write(printSettings(SERVE_SETTINGS, resolved));
      return;
    }
    await runServe(settings, config, cli);
  });
}

/**
 * The settings in force: the config file named by --config or PRESCALE_CONFIG is read first, as
 * it is the third place every other setting is looked up in.
 */
export function serveSettings(
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { settings: ServeOptions; config: PrescaleConfig; resolved: Record<string, Resolved> } {
  const inputs = { flags, env, read };
  const configPath = resolveSettings(SERVE_SETTINGS, inputs).config.value as string | undefined;
  const config = loadConfig(configPath);
  const resolved = resolveSettings(SERVE_SETTINGS, { ...inputs, config, configWhere: configPath });
  // with --embedded, nothing is kept unless a state directory is asked for
  if (resolved.embedded.value && resolved.stateDir.source === 'default')
    resolved.stateDir = { value: undefined, source: 'default', from: 'default' };
  const settings = Object.fromEntries(
    Object.entries(resolved).map(([k, r]) => [k, r.value]),
  ) as unknown as ServeOptions;
  return { settings, config, resolved };
}

/** Starts the service with `o` and resolves once a signal has stopped it. */
async function runServe(o: ServeOptions, fileConfig: PrescaleConfig, cli: CliOptions): Promise<void> {
  const logger = createLogger();
  const { config, apply } = serveConfig(o, fileConfig);
  const auth = resolveAuth(
    { user: o.prometheusUser, passwordFile: o.prometheusPasswordFile, tokenFile: o.prometheusTokenFile },
    { [AUTH_ENV.password]: o.prometheusPassword, [AUTH_ENV.token]: o.prometheusToken },
    (path) => readFileSync(path, 'utf8'),
  );
  const edges = buildEdges({ ...o, apply, prometheusAuth: auth, ...(o.embedded && EMBEDDED) }, config, logger);
  const state = stateStore(o.stateDir, cli, logger);
  const historyStore = historyStoreIn(o.stateDir, config, logger);
  const info = {
    source: edges.where,
    forecasting: 'statistical models (TensorFlow.js is loaded only for a trained LSTM)',
    models: o.models,
  };
  const extraModels = await loadTrainedModels(o.models, logger);
  const service = new PrescaleService({
    extraModels,
    modelsDir: o.models,
    source: edges.source,
    actuators: edges.actuators,
    config,
    apply,
    logger,
    clock: cli.clock ?? systemClock,
    state,
    masks: o.stateDir ? new FileMaskStore(o.stateDir, { logger }) : undefined,
    historyStore,
    apiToken: o.apiToken,
    info: { ...info, stateDir: o.stateDir ?? '(memory)' },
    watch: edges.watch,
    leaseStore: edges.leaseStore,
    lockTtlSec: o.lockTtl,
  });
  const address = await service.start(o.port, o.host);
  logger.info(
    { address, mode: o.embedded ? 'embedded' : service.mode(), schedule: config.cycle.schedule, ...info },
    `prescale serving on ${address} (docs at ${address}/docs)`,
  );
  await untilStopped(service, logger);
}

/** The config file's with the schedule in force over it; --embedded adds a 5-minute step and applies to its in-memory engine. */
function serveConfig(o: ServeOptions, config: PrescaleConfig): { config: PrescaleConfig; apply: boolean } {
  const where = o.config ?? (o.embedded ? '(embedded)' : '(flags)');
  const step = o.embedded ? { step: 300 } : {};
  if (!o.embedded && o.schedule === config.cycle.schedule) return { config, apply: o.apply };
  return {
    config: parseConfig({ ...config, cycle: { ...config.cycle, ...step, schedule: o.schedule } }, where),
    // the in-memory service of --embedded follows the plan; nothing real is touched
    apply: o.embedded || o.apply,
  };
}

/** Planner state in `stateDir` (said in the log: loaded, or unreadable and started fresh), or in memory without one. */
function stateStore(stateDir: string | undefined, cli: CliOptions, logger: Logger): FileStateStore | MemoryStateStore {
  if (!stateDir) return new MemoryStateStore();
  const state = new FileStateStore(stateDir, { now: (cli.clock ?? systemClock).now(), logger });
  if (state.loadError) logger.warn({ err: state.loadError }, 'planner state unreadable: starting fresh');
  else logger.info({ path: state.path, services: state.size }, 'planner state loaded');
  return state;
}

/** Bucketed history under the state directory's `history/`, kept for `cycle.historyGrace` after a service is gone. */
export function historyStoreIn(
  stateDir: string | undefined,
  config: PrescaleConfig,
  logger: Logger,
): FileHistoryStore | undefined {
  if (!stateDir) return undefined;
  return new FileHistoryStore(join(stateDir, 'history'), {
    graceSec: config.cycle.historyGrace,
    logger: logger.child({ component: 'history-store' }),
  });
}

/**
 * Resolves once SIGTERM or SIGINT has stopped the service (the running cycle aborted, the lock
 * released); a stop longer than STOP_BOUND_MS saves the state and exits 1.
 */
function untilStopped(service: PrescaleService, logger: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping: aborting the running cycle');
      // a bound on the whole stop, whatever hangs: the state is saved, then the process ends
      setTimeout(() => {
        logger.error({ signal, ms: STOP_BOUND_MS }, 'stop took too long: exiting now');
        service.saveState();
        process.exit(1);
      }, STOP_BOUND_MS).unref();
      void service.stop().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

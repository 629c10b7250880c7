import { join } from 'node:path';
import { apiTokenFrom } from '../config/api-token.js';
import { loadTrainedModels } from '../adapters/models/load.js';
import type { Command } from 'commander';
import { buildEdges, EMBEDDED } from '../runtime/wiring.js';
import { DEFAULT_LOCK_TTL_SEC } from '../runtime/leader.js';
import { PrescaleService } from '../runtime/service.js';
import { loadConfig, parseConfig, type PrescaleConfig } from '../config/schema.js';
import { systemClock } from '../core/domain/clock.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { FileHistoryStore } from '../runtime/history-store.js';
import { FileStateStore, MemoryStateStore } from '../runtime/state.js';
import { FileMaskStore } from '../runtime/masks.js';
import type { CliOptions } from './main.js';
import {
  cronArg,
  dirArg,
  hostArg,
  nonEmptyArg,
  numberArg,
  prometheusAuthOf,
  urlArg,
  withPrometheusAuth,
  type AuthFlags,
} from './options.js';

/** Longest a SIGTERM may take before the process exits regardless, ms. */
const STOP_BOUND_MS = 4500;

/** Where planner state is kept across restarts unless --state-dir or `stateDir:` says otherwise. */
export const DEFAULT_STATE_DIR = '.prescale-state';

/** The sample history of the embedded default, shipped in data/. */
export { SAMPLE_HISTORY } from '../adapters/sources/replay/source.js';

interface ServeOptions extends AuthFlags {
  apply: boolean;
  prometheus?: string;
  port: number;
  host: string;
  config?: string;
  embedded?: boolean;
  stateDir?: string;
  schedule?: string;
  lockTtl: number;
  models: string;
}

/**
 * `prescale serve [--apply] [--prometheus URL] [--port PORT] [--config FILE]` — a contract: the
 * long-running service (scheduled cycle, recommendations API, /metrics) over the Swarm and
 * Compose services of the engine DOCKER_HOST names, re-discovered on engine events. With
 * --apply, only the instance holding the leader lock in the engine applies; the others recommend
 * (`passive`). The API token comes from PRESCALE_API_TOKEN or the config. SIGTERM finishes the
 * running cycle, releases the lock and exits 0.
 */
export function registerServe(program: Command, cli: CliOptions = {}): void {
  const serve = program
    .command('serve')
    .description('Run the planning cycle on a schedule and serve the recommendations API')
    .option('--apply', 'apply plans to the engine (default: recommend only)', false)
    .option('--prometheus <url>', 'Prometheus base URL (else `prometheus:` in the config)', urlArg);
  withPrometheusAuth(serve)
    .option('--port <port>', 'API port', numberArg({ integer: true, min: 0, max: 65535 }), 8080)
    .option('--host <address>', 'address the API listens on (0.0.0.0: every interface)', hostArg, '0.0.0.0')
    .option('--config <file>', 'YAML config file (defaults, services, schedule)')
    .option('--state-dir <dir>', 'planner state kept across restarts (default .prescale-state, or the config)', dirArg)
    .option('--schedule <cron>', 'cron expression of the planning cycle (default: every minute)', cronArg)
    .option('--embedded', 'run on the embedded sample: no Prometheus, no Docker, nothing applied')
    .option(
      '--models <dir>',
      'trained models (prescale train --out DIR/NAME), used by prescale.model=lstm:NAME',
      nonEmptyArg,
      'models',
    )
    .option(
      '--lock-ttl <seconds>',
      'with --apply: seconds after which the leader lock of a crashed instance is taken over',
      numberArg({ min: 3, max: 3600 }),
      DEFAULT_LOCK_TTL_SEC,
    )
    .action(async (o: ServeOptions) => {
      const logger = createLogger();
      const { config, apply } = serveConfig(o);
      const edges = buildEdges(
        { ...o, apply, prometheusAuth: prometheusAuthOf(o), ...(o.embedded && EMBEDDED) },
        config,
        logger,
      );
      const stateDir = o.stateDir ?? config.stateDir ?? (o.embedded ? undefined : DEFAULT_STATE_DIR);
      const state = stateStore(stateDir, cli, logger);
      const historyStore = historyStoreIn(stateDir, config, logger);
      const info = {
        source: edges.where,
        forecasting: 'statistical models (TensorFlow.js is loaded only for a trained LSTM)',
        models: o.models,
      };
      const extraModels = await loadTrainedModels(o.models, logger);
      const service = new PrescaleService({
        extraModels,
        source: edges.source,
        actuators: edges.actuators,
        config,
        apply,
        logger,
        clock: cli.clock ?? systemClock,
        state,
        masks: stateDir ? new FileMaskStore(stateDir, { logger }) : undefined,
        historyStore,
        apiToken: apiTokenFrom(process.env, config, o.config ?? '(config)'),
        info: { ...info, stateDir: stateDir ?? '(memory)' },
        watch: edges.watch,
        leaseStore: edges.leaseStore,
        lockTtlSec: o.lockTtl,
      });
      const address = await service.start(o.port, o.host);
      logger.info(
        {
          address,
          mode: o.embedded ? 'embedded' : service.mode(),
          schedule: config.cycle.schedule,
          ...info,
        },
        `prescale serving on ${address} (docs at ${address}/docs)`,
      );
      await untilStopped(service, logger);
    });
}

/** The config of --config with --schedule over it; --embedded adds a 5-minute step and applies to its in-memory engine. */
function serveConfig(o: ServeOptions): { config: PrescaleConfig; apply: boolean } {
  const config = loadConfig(o.config);
  if (o.embedded) {
    return {
      config: parseConfig(
        { ...config, cycle: { ...config.cycle, step: 300, schedule: o.schedule ?? config.cycle.schedule } },
        o.config ?? '(embedded)',
      ),
      apply: true, // the in-memory service follows the plan; nothing real is touched
    };
  }
  if (o.schedule) {
    return {
      config: parseConfig({ ...config, cycle: { ...config.cycle, schedule: o.schedule } }, o.config ?? '(flags)'),
      apply: o.apply,
    };
  }
  return { config, apply: o.apply };
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

import { loadTrainedModels } from '../adapters/models/load.js';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { InMemoryActuator, ReplaySource } from '../adapters/embedded.js';
import { buildEngineActuators, buildSource } from '../runtime/wiring.js';
import { DEFAULT_LOCK_TTL_SEC, EngineLeaseStore, type LeaseStore } from '../runtime/leader.js';
import { PrescaleService } from '../runtime/service.js';
import { dockerFromEnv } from '../adapters/engines/docker/client.js';
import { DockerEventWatch, type EngineWatch } from '../adapters/engines/docker/events.js';
import type { Actuator } from '../adapters/engines/port.js';
import type { MetricsSource } from '../adapters/sources/port.js';
import { loadConfig, parseConfig, type PrescaleConfig } from '../config/schema.js';
import { systemClock } from '../core/domain/clock.js';
import { createLogger } from '../observability/logger.js';
import { FileStateStore, MemoryStateStore } from '../runtime/state.js';
import type { CliOptions } from './main.js';
import { redactUrl } from '../adapters/sources/prometheus/auth.js';
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

/** Where planner state is kept across restarts unless --state-dir or `stateDir:` says otherwise. */
export const DEFAULT_STATE_DIR = '.prescale-state';

/** The sample history of the embedded default, shipped in data/. */
export const SAMPLE_HISTORY = fileURLToPath(new URL('../../data/sample-web.csv', import.meta.url));

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
      let config: PrescaleConfig = loadConfig(o.config);
      let source: MetricsSource;
      let actuators: Actuator[];
      let apply = o.apply;
      let watch: EngineWatch | undefined;
      let leaseStore: LeaseStore | undefined;
      if (o.embedded) {
        config = parseConfig(
          { ...config, cycle: { ...config.cycle, step: 300, schedule: o.schedule ?? config.cycle.schedule } },
          o.config ?? '(embedded)',
        );
        source = new ReplaySource();
        const labels = {
          'prescale.enable': 'true',
          'prescale.query': SAMPLE_HISTORY,
          'prescale.capacity': '100',
          'prescale.min': '2',
          'prescale.max': '20',
          'prescale.startup-delay': '5m',
        };
        actuators = [new InMemoryActuator('demo-web', labels, 2)];
        apply = true; // the in-memory service follows the plan; nothing real is touched
      } else {
        if (o.schedule)
          config = parseConfig({ ...config, cycle: { ...config.cycle, schedule: o.schedule } }, o.config ?? '(flags)');
        source = buildSource({ ...o, prometheusAuth: prometheusAuthOf(o) }, config, logger);
        const docker = dockerFromEnv();
        actuators = buildEngineActuators(logger, docker);
        watch = DockerEventWatch.of(docker, { logger: logger.child({ component: 'events' }) });
        if (apply) leaseStore = new EngineLeaseStore(docker);
      }
      const stateDir = o.stateDir ?? config.stateDir ?? (o.embedded ? undefined : DEFAULT_STATE_DIR);
      const state = stateDir ? new FileStateStore(stateDir) : new MemoryStateStore();
      if (state instanceof FileStateStore && state.loadError)
        logger.warn({ err: state.loadError }, 'planner state unreadable: starting fresh');
      else if (state instanceof FileStateStore)
        logger.info({ path: state.path, services: state.size }, 'planner state loaded');
      const info = {
        source: o.embedded ? `embedded sample ${SAMPLE_HISTORY}` : redactUrl(o.prometheus ?? config.prometheus ?? ''),
        forecasting: 'statistical models (TensorFlow.js is loaded only for a trained LSTM)',
        models: o.models,
      };
      const extraModels = await loadTrainedModels(o.models, logger);
      const service = new PrescaleService({
        extraModels,
        source,
        actuators,
        config,
        apply,
        logger,
        clock: cli.clock ?? systemClock,
        state,
        apiToken: process.env.PRESCALE_API_TOKEN ?? config.apiToken,
        info: { ...info, stateDir: stateDir ?? '(memory)' },
        watch,
        leaseStore,
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
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: finishing the running cycle');
          void service.stop().then(resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}

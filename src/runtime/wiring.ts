import type Docker from 'dockerode';
import { ComposeActuator } from '../adapters/engines/compose/engine.js';
import { dockerFromEnv } from '../adapters/engines/docker/client.js';
import { DryRunActuator } from './dry-run.js';
import type { Actuator } from '../adapters/engines/port.js';
import { SwarmActuator } from '../adapters/engines/swarm/engine.js';
import type { PrometheusAuth } from '../adapters/sources/prometheus/auth.js';
import { PrometheusSource } from '../adapters/sources/prometheus/source.js';
import type { MetricsSource } from '../adapters/sources/port.js';
import type { PrescaleConfig } from '../config/schema.js';
import { PrescaleError } from '../core/domain/errors.js';
import type { Logger } from '../observability/logger.js';

/** Options that pick the edges: where load comes from, which engine, apply or recommend. */
export interface EdgeOptions {
  readonly prometheus?: string;
  /** Credentials for Prometheus besides those in its URL (flags, environment). */
  readonly prometheusAuth?: PrometheusAuth;
  readonly apply: boolean;
}

/** The Prometheus source from the flag, else the config file. */
export function buildSource(opts: EdgeOptions, config: PrescaleConfig, logger: Logger): MetricsSource {
  const url = opts.prometheus ?? config.prometheus;
  if (!url)
    throw new PrescaleError('E_INPUT', 'no Prometheus: give --prometheus URL or `prometheus:` in the config file');
  return new PrometheusSource({
    url,
    auth: opts.prometheusAuth,
    logger: logger.child({ component: 'prometheus' }),
  });
}

/**
 * The actuators of one engine (DOCKER_HOST's unless `docker` is given): its Swarm services and
 * its Compose services, both found by the `prescale.enable=true` label. On an engine that is not
 * a swarm manager the Swarm actuator finds nothing and the Compose one still works.
 */
export function buildEngineActuators(logger: Logger, docker: Docker = dockerFromEnv()): Actuator[] {
  return [
    new SwarmActuator(docker, logger.child({ component: 'swarm' })),
    new ComposeActuator(docker, logger.child({ component: 'compose' })),
  ];
}

/** The engine's actuators, wrapped in dry-run unless `apply`. */
export function buildActuators(opts: EdgeOptions, logger: Logger, docker: Docker = dockerFromEnv()): Actuator[] {
  const real = buildEngineActuators(logger, docker);
  return opts.apply ? real : real.map((a) => new DryRunActuator(a, logger.child({ component: 'dry-run' })));
}

import type { PrescaleConfig } from '../../config/schema.js';
import { PrescaleError } from '../../core/domain/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { MetricsSource } from './port.js';
import { redactUrl, type PrometheusAuth } from './prometheus/auth.js';
import { PrometheusSource } from './prometheus/source.js';
import { replaySource } from './replay/source.js';

/** What a source factory is given: the command line's settings and the config file. */
export interface SourceContext {
  /** The source's URL from the command line (`--prometheus`), which wins over the config file. */
  readonly url?: string;
  /** HTTP credentials from the command line or the environment (basic or bearer). */
  readonly auth?: PrometheusAuth;
  readonly config: PrescaleConfig;
  readonly logger: Logger;
}

/** A source as the runtime uses it. */
export interface BuiltSource {
  readonly source: MetricsSource;
  /** Where the load comes from, for people (the startup log, GET /v1/status). */
  readonly where: string;
}

/** Makes one source; throws PrescaleError E_INPUT naming the flag or field that is missing. */
export type SourceFactory = (ctx: SourceContext) => BuiltSource;

/** Prometheus at `--prometheus URL`, else `prometheus:` in the config file. */
const prometheusSource: SourceFactory = ({ url, auth, config, logger }) => {
  const where = url ?? config.prometheus;
  if (!where)
    throw new PrescaleError('E_INPUT', 'no Prometheus: give --prometheus URL or `prometheus:` in the config file');
  // cpuThreads 0 keeps everything in the main thread; else the answers are parsed off it
  const offThread = config.cycle.cpuThreads !== 0;
  const source = new PrometheusSource({
    url: where,
    auth,
    offThread,
    logger: logger.child({ component: 'prometheus' }),
  });
  // where is shown to anyone (the log, GET /v1/status): never with its credentials
  return { source, where: redactUrl(where) };
};

/**
 * Every metrics source, by the name the wiring is given (`EdgeOptions.source`). A new source is
 * a folder beside these and one entry here (see CONTRIBUTING.md).
 */
export const SOURCES: Readonly<Record<string, SourceFactory>> = Object.freeze({
  prometheus: prometheusSource,
  /** CSV files replayed as if live (the embedded demo). */
  replay: replaySource,
});

/** The source used unless told otherwise. */
export const DEFAULT_SOURCE = 'prometheus';

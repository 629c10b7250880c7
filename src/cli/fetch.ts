import type { Command } from 'commander';
import { writeSamplesCsv } from '../adapters/sources/csv.js';
import { PrometheusSource } from '../adapters/sources/prometheus/source.js';
import { PrescaleError } from '../core/domain/errors.js';
import { createLogger } from '../observability/logger.js';
import { MAX_GRID_POINTS, MIN_QUERY_STEP_SEC } from '../core/domain/limits.js';
import { numberArg, prometheusAuthOf, urlArg, withPrometheusAuth, type AuthFlags } from './options.js';

interface FetchOptions extends AuthFlags {
  prometheus: string;
  query: string;
  start: number;
  end: number;
  step: number;
  output: string;
}

/**
 * `prescale fetch --prometheus URL --query PROMQL --start UNIX_S --end UNIX_S --step SECONDS
 * --output FILE.csv` — a contract for scripts outside the repository: one row per sample
 * Prometheus returns, `timestamp,value` in unix seconds. At most MAX_GRID_POINTS points, so
 * that what it writes the other commands can read.
 */
export function registerFetch(program: Command): void {
  const fetch = program
    .command('fetch')
    .description('Fetch a load history from Prometheus (query_range, chunked) into a CSV file')
    .requiredOption('--prometheus <url>', 'Prometheus base URL', urlArg);
  withPrometheusAuth(fetch)
    .requiredOption('--query <promql>', 'PromQL expression returning one series')
    .requiredOption('--start <unix_s>', 'start of the range, unix seconds', numberArg({ min: 0 }))
    .requiredOption('--end <unix_s>', 'end of the range, unix seconds', numberArg({ min: 0 }))
    .requiredOption(
      '--step <seconds>',
      `resolution, seconds (at least ${MIN_QUERY_STEP_SEC})`,
      numberArg({ min: MIN_QUERY_STEP_SEC }),
    )
    .requiredOption('--output <file>', 'CSV file to write (timestamp,value)')
    .action(async (o: FetchOptions) => {
      if (o.end < o.start) throw new PrescaleError('E_INPUT', `--end (${o.end}) is before --start (${o.start})`);
      const points = Math.floor((o.end - o.start) / o.step) + 1;
      if (points > MAX_GRID_POINTS) {
        throw new PrescaleError(
          'E_INPUT',
          `--start ${o.start} --end ${o.end} --step ${o.step}: ${points} points, more than ${MAX_GRID_POINTS}; take a larger --step or a shorter range`,
        );
      }
      const source = new PrometheusSource({ url: o.prometheus, auth: prometheusAuthOf(o), logger: createLogger() });
      const samples = await source.queryRange(o.query, o.start, o.end, o.step);
      writeSamplesCsv(o.output, samples);
      const dropped = samples.dropped ? ` (${samples.dropped} NaN, Inf or out-of-range values left out)` : '';
      process.stderr.write(`wrote ${samples.timestamps.length} samples to ${o.output}${dropped}\n`);
    });
}

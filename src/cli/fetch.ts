import type { Command } from 'commander';
import { writeSamplesCsv } from '../adapters/sources/csv.js';
import { PrometheusSource } from '../adapters/sources/prometheus/source.js';
import { PrescaleError } from '../core/domain/errors.js';
import { createLogger } from '../observability/logger.js';
import { numberArg, urlArg } from './options.js';

/**
 * `prescale fetch --prometheus URL --query PROMQL --start UNIX_S --end UNIX_S --step SECONDS
 * --output FILE.csv` — a contract for scripts outside the repository: one row per sample
 * Prometheus returns, `timestamp,value` in unix seconds.
 */
export function registerFetch(program: Command): void {
  program
    .command('fetch')
    .description('Fetch a load history from Prometheus (query_range, chunked) into a CSV file')
    .requiredOption('--prometheus <url>', 'Prometheus base URL', urlArg)
    .requiredOption('--query <promql>', 'PromQL expression returning one series')
    .requiredOption('--start <unix_s>', 'start of the range, unix seconds', numberArg())
    .requiredOption('--end <unix_s>', 'end of the range, unix seconds', numberArg())
    .requiredOption('--step <seconds>', 'resolution, seconds', numberArg({ positive: true }))
    .requiredOption('--output <file>', 'CSV file to write (timestamp,value)')
    .action(
      async (o: { prometheus: string; query: string; start: number; end: number; step: number; output: string }) => {
        if (o.end < o.start) throw new PrescaleError('E_INPUT', `--end (${o.end}) is before --start (${o.start})`);
        const source = new PrometheusSource({ url: o.prometheus, logger: createLogger() });
        const samples = await source.queryRange(o.query, o.start, o.end, o.step);
        writeSamplesCsv(o.output, samples);
        process.stderr.write(`wrote ${samples.timestamps.length} samples to ${o.output}\n`);
      },
    );
}

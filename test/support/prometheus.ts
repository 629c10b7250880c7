/**
 * A real Prometheus for integration tests: history is backfilled with
 * `promtool tsdb create-blocks-from openmetrics`, then `/usr/bin/prometheus` serves it on a free
 * loopback port, with no scrape targets unless `scrape` names some. Backfilled samples right up
 * to "now" are queryable (blocks are loaded as they are; the head stays empty when nothing is
 * scraped).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelText, startServer, type ServerHandle } from './server-process.js';

export interface BackfillSeries {
  name: string;
  labels?: Record<string, string>;
  type?: 'gauge' | 'counter';
  timestamps: readonly number[];
  values: readonly number[];
}

/** A running server's handle; VictoriaMetrics' (test/support/victoria.ts) is the same. */
export type PrometheusHandle = ServerHandle;

/** OpenMetrics text for the series (samples in ascending time per series, as promtool wants). */
export function toOpenMetrics(series: readonly BackfillSeries[]): string {
  const out: string[] = [];
  const byName = new Map<string, BackfillSeries[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, group] of byName) {
    out.push(`# TYPE ${name} ${group[0].type ?? 'gauge'}`);
    for (const s of group) {
      const labels = labelText(s.labels);
      const metric = s.type === 'counter' ? `${name}_total` : name;
      const sel = labels ? `${metric}{${labels}}` : metric;
      for (let i = 0; i < s.timestamps.length; i++) out.push(`${sel} ${s.values[i]} ${s.timestamps[i]}`);
    }
  }
  out.push('# EOF');
  return out.join('\n') + '\n';
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Targets for a private Prometheus to scrape, e.g. a running `prescale serve`. */
export interface ScrapeTargets {
  /** `host:port` of each target. */
  readonly targets: readonly string[];
  /** Seconds between scrapes (default 1). */
  readonly intervalSec?: number;
  /** Default `/metrics`. */
  readonly path?: string;
}

/** The config file: no scrape targets, or one job over `scrape`'s. */
function configText(scrape: ScrapeTargets | undefined): string {
  if (!scrape) return 'global:\n  scrape_interval: 1h\nscrape_configs: []\n';
  const every = `${scrape.intervalSec ?? 1}s`;
  return [
    'global:',
    `  scrape_interval: ${every}`,
    `  evaluation_interval: ${every}`,
    'scrape_configs:',
    '  - job_name: prescale',
    `    metrics_path: ${scrape.path ?? '/metrics'}`,
    `    scrape_timeout: ${every}`,
    '    static_configs:',
    `      - targets: [${scrape.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
}

/** Backfills `series` (if any) and starts a private Prometheus on them, scraping `scrape`'s targets. */
export async function startPrometheus(opts: {
  series?: readonly BackfillSeries[];
  scrape?: ScrapeTargets;
  /** Extra command-line flags, e.g. `--query.max-samples=5000`. */
  flags?: readonly string[];
}): Promise<PrometheusHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-prom-'));
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'prometheus.yml'), configText(opts.scrape));
  if (opts.series?.length) {
    writeFileSync(join(dir, 'history.om'), toOpenMetrics(opts.series));
    // Day-long blocks keep the block count (and start-up time) small for weeks of history.
    const backfill = spawnSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', join(dir, 'history.om'), data],
      { encoding: 'utf8' },
    );
    if (backfill.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`promtool backfill failed: ${backfill.stderr || backfill.stdout}`);
    }
  }
  const port = await freePort();
  return startServer({
    command: 'prometheus',
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      ...(opts.flags ?? []),
    ],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/-/ready',
    dir,
  });
}

/** True when the Prometheus binaries are installed. */
export function hasPrometheus(): boolean {
  return spawnSync('sh', ['-c', 'command -v prometheus && command -v promtool'], { stdio: 'ignore' }).status === 0;
}

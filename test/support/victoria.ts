/**
 * A real VictoriaMetrics for integration tests, with the same handle as test/support/prometheus.ts
 * so that a test can run over both servers. History goes in through its import API
 * (`POST /api/v1/import/prometheus`, Prometheus text with millisecond timestamps), then
 * `GET /internal/force_flush` makes it searchable at once.
 * https://docs.victoriametrics.com/#how-to-import-data-in-prometheus-exposition-format
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type BackfillSeries, type PrometheusHandle } from './prometheus.js';
import { labelText, startServer } from './server-process.js';

/** The binary Debian's `victoria-metrics` package installs. */
const BINARY = 'victoria-metrics';

/** Prometheus text lines `name{labels} value unix_ms` for the series (counters named `<name>_total`). */
export function toImportText(series: readonly BackfillSeries[]): string {
  const out: string[] = [];
  for (const s of series) {
    const labels = labelText(s.labels);
    const metric = s.type === 'counter' ? `${s.name}_total` : s.name;
    const sel = labels ? `${metric}{${labels}}` : metric;
    for (let i = 0; i < s.timestamps.length; i++)
      out.push(`${sel} ${s.values[i]} ${Math.round(s.timestamps[i] * 1000)}`);
  }
  return out.join('\n') + '\n';
}

/** Imports `series` into a running VictoriaMetrics and makes them searchable. */
export async function importSeries(url: string, series: readonly BackfillSeries[]): Promise<void> {
  // one request per series keeps each body small (14 days at 1 min is ~1 MB of text)
  for (const s of series) {
    const res = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: toImportText([s]) });
    if (res.status !== 204 && !res.ok) throw new Error(`import into ${url}: HTTP ${res.status} ${await res.text()}`);
  }
  const flush = await fetch(`${url}/internal/force_flush`);
  if (!flush.ok) throw new Error(`force_flush at ${url}: HTTP ${flush.status}`);
}

export interface VictoriaOptions {
  readonly series: readonly BackfillSeries[];
  /** Extra command-line flags, e.g. `-search.maxPointsPerTimeseries=5000`. */
  readonly flags?: readonly string[];
}

/** Starts a private VictoriaMetrics on a free loopback port and imports `series` into it. */
export async function startVictoria(opts: VictoriaOptions): Promise<PrometheusHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-vm-'));
  const port = await freePort();
  const server = await startServer({
    command: BINARY,
    args: [
      `-storageDataPath=${join(dir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-retentionPeriod=100y',
      // imported history is not scraped: nothing to wait for before the newest points show
      '-search.latencyOffset=0s',
      '-loggerLevel=ERROR',
      ...(opts.flags ?? []),
    ],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health',
    dir,
  });
  try {
    await importSeries(server.url, opts.series);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** True when the VictoriaMetrics binary is installed. */
export function hasVictoria(): boolean {
  return spawnSync('sh', ['-c', `command -v ${BINARY}`], { stdio: 'ignore' }).status === 0;
}

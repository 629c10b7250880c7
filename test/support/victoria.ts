/**
 * A real VictoriaMetrics for integration tests, with the same handle as test/support/prometheus.ts
 * so that a test can run over both servers. History goes in through its import API
 * (`POST /api/v1/import/prometheus`, Prometheus text with millisecond timestamps), then
 * `GET /internal/force_flush` makes it searchable at once.
 * https://docs.victoriametrics.com/#how-to-import-data-in-prometheus-exposition-format
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type BackfillSeries, type PrometheusHandle } from './prometheus.js';

/** The binary Debian's `victoria-metrics` package installs. */
const BINARY = 'victoria-metrics';

/** Prometheus text lines `name{labels} value unix_ms` for the series (counters named `<name>_total`). */
export function toImportText(series: readonly BackfillSeries[]): string {
  const out: string[] = [];
  for (const s of series) {
    const labels = Object.entries(s.labels ?? {})
      .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
      .join(',');
    const metric = s.type === 'counter' ? `${s.name}_total` : s.name;
    const sel = labels ? `${metric}{${labels}}` : metric;
    for (let i = 0; i < s.timestamps.length; i++)
      out.push(`${sel} ${s.values[i]} ${Math.round(s.timestamps[i] * 1000)}`);
  }
  return out.join('\n') + '\n';
}

async function waitReady(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (proc.exitCode !== null) throw new Error(`victoria-metrics exited (${proc.exitCode}): ${log()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`victoria-metrics at ${url} not ready after 30 s: ${log()}`);
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
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  let logText = '';
  const start = async (): Promise<void> => {
    logText = '';
    proc = spawn(
      BINARY,
      [
        `-storageDataPath=${join(dir, 'data')}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        '-retentionPeriod=100y',
        // imported history is not scraped: nothing to wait for before the newest points show
        '-search.latencyOffset=0s',
        '-loggerLevel=ERROR',
        ...(opts.flags ?? []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc.stderr?.on('data', (b: Buffer) => {
      logText = (logText + b.toString()).slice(-2000);
    });
    await waitReady(url, proc, () => logText);
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 5000).unref();
    });
  };
  await start();
  try {
    await importSeries(url, opts.series);
  } catch (err) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    pause: kill,
    resume: start,
    signal: (sig) => (proc && proc.exitCode === null ? proc.kill(sig) : false),
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when the VictoriaMetrics binary is installed. */
export function hasVictoria(): boolean {
  return spawnSync('sh', ['-c', `command -v ${BINARY}`], { stdio: 'ignore' }).status === 0;
}

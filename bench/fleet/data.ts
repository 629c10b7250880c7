/**
 * A real Prometheus on the fleet's history: backfilled once with promtool into a data dir
 * (kept and reused while its parameters match: backfilling 1,000 series × 14 days takes minutes),
 * then served on a free loopback port, as test/support/prometheus.ts does for the tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/support/prometheus.js';
import { seriesOf, shapeOf } from './series.js';

export interface FleetData {
  readonly services: number;
  readonly days: number;
  readonly step: number;
  /** Unix time of the last sample. */
  readonly end: number;
  /** Seconds spent backfilling (0 when reused). */
  readonly backfillSec: number;
}

/** The data dir's history for `services`, backfilled unless `dir` already holds it (or more series). */
export function backfill(dir: string, services: number, days: number, step: number): FleetData {
  const marker = join(dir, 'fleet.json');
  if (existsSync(marker)) {
    const had = JSON.parse(readFileSync(marker, 'utf8')) as FleetData;
    // a history of more series serves fewer services as well
    if (had.services >= services && had.days === days && had.step === step) return { ...had, backfillSec: 0 };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const end = Math.floor(Date.now() / 1000 / 3600) * 3600;
  const om = join(dir, 'history.om');
  const fd = openSync(om, 'w');
  for (const counter of [false, true]) {
    writeSync(fd, `# TYPE load ${counter ? 'counter' : 'gauge'}\n`);
    for (let i = 0; i < services; i++) {
      if (shapeOf(i).counter !== counter) continue;
      const { timestamps, values } = seriesOf(i, end, days, step);
      const sel = `load${counter ? '_total' : ''}{service="s${i}"}`;
      const lines = timestamps.map((t, k) => `${sel} ${values[k]} ${t}`);
      writeSync(fd, lines.join('\n') + '\n');
    }
  }
  writeSync(fd, '# EOF\n');
  closeSync(fd);
  const r = spawnSync(
    'promtool',
    ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', om, join(dir, 'data')],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  rmSync(om, { force: true });
  if (r.status !== 0) throw new Error(`promtool backfill failed: ${(r.stderr || r.stdout).slice(-2000)}`);
  const data: FleetData = { services, days, step, end, backfillSec: (performance.now() - t0) / 1000 };
  writeFileSync(marker, JSON.stringify(data));
  return data;
}

/** Prometheus serving `dir`'s data; `stop` kills it and keeps the data. */
export async function serve(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const proc: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-2000)));
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    if (i > 600) throw new Error(`prometheus not ready after 150 s: ${log}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

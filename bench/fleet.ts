/**
 * `npm run bench:fleet`: many services on one instance. A real Prometheus backfilled with one
 * series per service (14 days at 60 s, bench/fleet/series.ts), N services on the in-memory
 * engine, and `serve`'s service run twice side by side in one run, each in its own process: the
 * one-by-one path (fetch concurrency 1, everything in the main thread) and the default one
 * (concurrent fetches, forecasts and tunings in the worker pool). Measured: cold and warm cycles,
 * peak RSS, and /healthz latency from a loop of one request at a time while the cycles run.
 * Writes bench/out/fleet.json and bench/out/fleet.md.
 *
 *   npm run bench:fleet -- --services 100        (a small run, about a minute)
 *   npm run bench:fleet -- --data DIR            (reuse a backfilled data dir)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { backfill, serve } from './fleet/data.js';
import { percentile } from './fleet/series.js';

const { values: o } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    days: { type: 'string', default: '14' },
    data: { type: 'string' },
    modes: { type: 'string', default: 'sequential,pool' },
  },
});
const services = Number(o.services);
const days = Number(o.days);
const dir = o.data ?? `/tmp/prescale-fleet-${services}x${days}d`;

interface Side {
  mode: string;
  cycles: Array<{ name: string; s: number; planned: number }>;
  maxRssMiB: number;
  healthz: { n: number; p50: number; p99: number; max: number; failed: number; why: string[] };
}

/** Runs one side, probing its /healthz (one request at a time) from its URL line to its RESULT line. */
async function side(url: string, end: number, mode: string): Promise<Side> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.FLEET_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      join(import.meta.dirname, 'fleet', 'run.ts'),
      '--url',
      url,
      '--services',
      String(services),
      '--mode',
      mode,
      '--end',
      String(end),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lat: number[] = [];
  let failed = 0;
  const why: string[] = [];
  let probing = false;
  let result: Omit<Side, 'healthz'> | undefined;
  let probe: Promise<void> = Promise.resolve();
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('URL ')) {
      probing = true;
      const address = line.slice(4);
      probe = (async () => {
        while (probing && lat.length + failed < 200_000) {
          const t0 = performance.now();
          try {
            const r = await fetch(`${address}/healthz`, { signal: AbortSignal.timeout(10_000) });
            await r.arrayBuffer();
            if (r.ok) lat.push(performance.now() - t0);
            else {
              failed++;
              why.push(`HTTP ${r.status} at ${Math.round(t0)} ms`);
            }
          } catch (err) {
            failed++;
            const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
            why.push(`${cause} at ${Math.round(t0)} ms`);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
    } else if (line.startsWith('RESULT ')) {
      probing = false;
      // the child keeps its API up until the last probe is answered: then it may stop
      void probe.then(() => child.stdin?.end());
      result = JSON.parse(line.slice(7));
    }
  }
  await probe;
  if (!result) throw new Error(`${mode}: the run ended without a result`);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    ...result,
    healthz: {
      n: lat.length,
      p50: r(percentile(lat, 0.5)),
      p99: r(percentile(lat, 0.99)),
      max: r(Math.max(...lat)),
      failed,
      why,
    },
  };
}

const t0 = performance.now();
const data = backfill(dir, services, days, 60);
console.error(
  `history: ${services} series × ${days} days at 60 s in ${dir} (${data.backfillSec ? `backfilled in ${data.backfillSec.toFixed(0)} s` : 'reused'})`,
);
const prom = await serve(dir);
console.error(`prometheus ready after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
const sides: Side[] = [];
try {
  for (const mode of o.modes.split(',')) {
    sides.push(await side(prom.url, data.end, mode));
    console.error(JSON.stringify(sides.at(-1)));
  }
} finally {
  await prom.stop();
}
const machine = `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
const out = { at: new Date().toISOString(), machine, services, days, step: 60, backfillSec: data.backfillSec, sides };
const f = (v: number) => v.toFixed(2);
const md = [
  `${services} services, ${days} days at 60 s each in a real Prometheus (${machine}, ${out.at})`,
  '',
  '| path | cold cycle s | warm cycle s | 2nd warm cycle s | planned | peak RSS MiB | /healthz p50 / p99 / max ms (requests, failed) |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...sides.map((s) => {
    const [cold, warm, warm2] = s.cycles;
    const h = s.healthz;
    return `| ${s.mode} | ${f(cold.s)} | ${f(warm.s)} | ${f(warm2.s)} | ${warm.planned} | ${s.maxRssMiB.toFixed(0)} | ${h.p50} / ${h.p99} / ${h.max} (${h.n}, ${h.failed}) |`;
  }),
];
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'out', 'fleet.json'), JSON.stringify(out, null, 2) + '\n');
writeFileSync(join(import.meta.dirname, 'out', 'fleet.md'), md.join('\n') + '\n');
console.log(md.join('\n'));

/**
 * `npm run bench:fleet`: many services on one instance. A real Prometheus backfilled with one
 * series per service (14 days at 60 s, bench/fleet/series.ts), and `serve`'s service run side by
 * side in one run, each side in its own process: the one-by-one path (fetch concurrency 1,
 * everything in the main thread) and the default one (concurrent fetches parsed in a worker
 * thread, forecasts and tunings in the worker pool). Measured: cold and warm cycles, peak RSS,
 * the main thread's event loop delay, and /healthz latency from a loop of one request at a time
 * while the cycles run.
 *
 * Phase 1: N services on the in-memory engine. Phase 2 (`--swarm M`): M real Swarm services on
 * the engine of PRESCALE_TEST_DOCKER_HOST (test/env/docker.sh up), labelled, discovered by their
 * labels and backed by M of the series, planned and applied; the replicas changed on the engine
 * are counted and the tasks are waited for. Skipped, saying so, when no engine answers.
 * Writes bench/out/fleet.json and bench/out/fleet.md.
 *
 *   npm run bench:fleet -- --services 100        (a small run, about a minute)
 *   npm run bench:fleet -- --data DIR            (reuse a backfilled data dir)
 *   npm run bench:fleet -- --swarm 100           (then 100 real Swarm services)
 *   npm run bench:fleet -- --services 0 --swarm 100 --data DIR   (the Swarm phase alone)
 *   npm run bench:fleet -- --modes pool --threads 1              (a pool of one worker)
 *   FLEET_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' npm run bench:fleet   (profile each side)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { backfill, serve } from './fleet/data.js';
import { percentile } from './fleet/series.js';
import { swarmPhase, type SwarmRun } from './fleet/swarm-phase.js';

const { values: o } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    days: { type: 'string', default: '14' },
    data: { type: 'string' },
    modes: { type: 'string', default: 'sequential,pool' },
    threads: { type: 'string' },
    swarm: { type: 'string' },
    'swarm-modes': { type: 'string', default: 'pool' },
  },
});
const services = Number(o.services);
const swarm = Number(o.swarm ?? 0);
const days = Number(o.days);
const series = Math.max(services, swarm);
const dir = o.data ?? `/tmp/prescale-fleet-${series}x${days}d`;

export interface Side {
  mode: string;
  cycles: Array<{ name: string; s: number; planned: number; applied: number }>;
  maxRssMiB: number;
  eventLoop: { p99: number; max: number };
  engine?: { services: number; changed: number; replicasBefore: number; replicasAfter: number };
  healthz: { n: number; p50: number; p99: number; max: number; failed: number; why: string[] };
}

/** Runs one side, probing its /healthz (one request at a time) from its URL line to its RESULT line. */
async function side(url: string, end: number, mode: string, n: number, swarmHost?: string): Promise<Side> {
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
      String(n),
      ...(o.threads !== undefined ? ['--threads', o.threads] : []),
      ...(swarmHost ? ['--swarm', swarmHost] : []),
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
const data = backfill(dir, series, days, 60);
console.error(
  `history: ${data.services} series × ${days} days at 60 s in ${dir} (${data.backfillSec ? `backfilled in ${data.backfillSec.toFixed(0)} s` : 'reused'})`,
);
const prom = await serve(dir);
console.error(`prometheus ready after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
const load = [loadavg()];
const sides: Side[] = [];
let swarmRun: SwarmRun | undefined;
try {
  for (const mode of services > 0 ? o.modes.split(',') : []) {
    sides.push(await side(prom.url, data.end, mode, services));
    load.push(loadavg());
    console.error(JSON.stringify(sides.at(-1)));
  }
  if (swarm > 0) {
    swarmRun = await swarmPhase(swarm, o['swarm-modes'].split(','), (mode, host) =>
      side(prom.url, data.end, mode, swarm, host),
    );
    load.push(loadavg());
  }
} finally {
  await prom.stop();
}
const machine = `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
const loadText = load.map((l) => l.map((v) => v.toFixed(1)).join(' ')).join(' → ');
const out = {
  at: new Date().toISOString(),
  machine,
  loadavg: load,
  services,
  days,
  step: 60,
  backfillSec: data.backfillSec,
  sides,
  ...(swarmRun && { swarm: swarmRun }),
};
const f = (v: number) => v.toFixed(2);
const row = (s: Side) => {
  const [cold, warm, warm2] = s.cycles;
  const h = s.healthz;
  const e = s.eventLoop;
  return `| ${s.mode} | ${f(cold.s)} | ${f(warm.s)} | ${f(warm2.s)} | ${warm.planned} | ${s.maxRssMiB.toFixed(0)} | ${e.p99.toFixed(1)} / ${e.max.toFixed(1)} | ${h.p50} / ${h.p99} / ${h.max} (${h.n}, ${h.failed}) |`;
};
const columns = [
  '| path | cold cycle s | warm cycle s | 2nd warm cycle s | planned | peak RSS MiB | event loop delay p99 / max ms | /healthz p50 / p99 / max ms (requests, failed) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
const md = [`${machine}, ${out.at}; load average (1, 5, 15 min) before and after each side: ${loadText}`, ''];
if (sides.length) {
  md.push(`${services} services on the in-memory engine, ${days} days at 60 s each in a real Prometheus`, '');
  md.push(...columns, ...sides.map(row), '');
}
if (swarmRun?.skipped) md.push(`Swarm phase skipped: ${swarmRun.skipped}`);
else if (swarmRun) {
  md.push(`${swarm} real Swarm services (${swarmRun.engine})`, '', ...columns, ...swarmRun.sides.map(row), '');
  md.push(
    '| path | changes applied (cold, warm, 2nd warm) | services changed on the engine | replicas before → after | tasks running after (s to converge) |',
    '| --- | --- | --- | --- | --- |',
    ...swarmRun.sides.map((s, i) => {
      const e = s.engine;
      const c = swarmRun?.converged[i];
      return `| ${s.mode} | ${s.cycles.map((x) => x.applied).join(', ')} | ${e?.changed} of ${e?.services} | ${e?.replicasBefore} → ${e?.replicasAfter} | ${c?.running} of ${c?.desired} (${c?.sec.toFixed(0)}) |`;
    }),
  );
}
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'out', 'fleet.json'), JSON.stringify(out, null, 2) + '\n');
writeFileSync(join(import.meta.dirname, 'out', 'fleet.md'), md.join('\n') + '\n');
console.log(md.join('\n'));

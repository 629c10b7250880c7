/**
 * One side of the fleet bench, in its own process (so that its peak RSS is its own): `serve`'s
 * service on the in-memory engine with N services over the bench's Prometheus, its API listening,
 * and the cycles run one after another. Prints `URL <address>` once listening (the parent probes
 * /healthz meanwhile) and `RESULT <json>` at the end.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { InMemoryActuator } from '../../src/adapters/engines/memory/engine.js';
import { PrometheusSource } from '../../src/adapters/sources/prometheus/source.js';
import { parseConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { PrescaleService } from '../../src/runtime/service.js';
import { queryOf } from './series.js';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string' },
    services: { type: 'string' },
    mode: { type: 'string' },
    end: { type: 'string' },
  },
});
const n = Number(o.services);
const sequential = o.mode === 'sequential';
const end = Number(o.end);
const actuators = Array.from(
  { length: n },
  (_, i) =>
    new InMemoryActuator(
      'swarm',
      `s${i}`,
      {
        'prescale.enable': 'true',
        'prescale.query': queryOf(i),
        'prescale.capacity': '100',
        'prescale.min': '1',
        'prescale.max': '100',
      },
      2,
    ),
);
// the schedule never fires during the bench: the cycles are run here, one after another
const cycle = sequential ? { fetchConcurrency: 1, cpuThreads: 0 } : {};
const config = parseConfig({ cycle: { ...cycle, schedule: '0 0 1 1 *' } }, 'bench');
let now = end + 30;
const service = new PrescaleService({
  source: new PrometheusSource({ url: o.url as string, offThread: !sequential }),
  actuators,
  config,
  apply: true,
  logger: silentLogger(),
  clock: { now: () => now },
});
const app = await service.api();
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`URL ${address}`);
await new Promise((r) => setTimeout(r, 1500));
const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
const stalls: Array<[number, number]> = [];
const tStart = performance.now();
let last = performance.now();
const tick = setInterval(() => {
  const t = performance.now();
  if (t - last > 30) stalls.push([Math.round(last - tStart), Math.round(t - last)]);
  last = t;
}, 5);
const cycles: Array<{ name: string; startMs: number; s: number; planned: number }> = [];
for (const [name, at] of [
  ['cold', end + 30],
  ['warm', end + 90],
  ['warm2', end + 150],
] as const) {
  now = at;
  const startMs = Math.round(performance.now() - tStart);
  const r = await service.cycle();
  cycles.push({
    name,
    startMs,
    s: r.durationMs / 1000,
    planned: r.services.filter((s) => s.status === 'planned').length,
  });
}
eld.disable();
clearInterval(tick);
if (process.env.FLEET_STALLS) console.error('STALLS', JSON.stringify(stalls), JSON.stringify(cycles));
const eventLoop = { p99: eld.percentile(99) / 1e6, max: eld.max / 1e6, mean: eld.mean / 1e6 };
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(`RESULT ${JSON.stringify({ mode: o.mode, services: n, cycles, maxRssMiB, eventLoop })}`);
// stopped once the parent's last probe is answered (it ends our stdin), not under it
process.stdin.resume();
await new Promise((r) => process.stdin.once('end', r));
await service.stop();
process.exit(0);

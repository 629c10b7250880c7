/**
 * One side of the fleet bench, in its own process (so that its peak RSS is its own): `serve`'s
 * service with N services over the bench's Prometheus, on the in-memory engine or (`--swarm
 * HOST`) on a real Swarm engine's labelled services, its API listening, and the cycles run one
 * after another. Prints `URL <address>` once listening (the parent probes /healthz meanwhile)
 * and `RESULT <json>` at the end, then waits for its stdin to end (the parent's last probe).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Actuator } from '../../src/adapters/engines/port.js';
import { InMemoryActuator } from '../../src/adapters/engines/memory/engine.js';
import { SwarmActuator } from '../../src/adapters/engines/swarm/engine.js';
import { PrometheusSource } from '../../src/adapters/sources/prometheus/source.js';
import { parseConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { PrescaleService } from '../../src/runtime/service.js';
import { dockerAt } from '../../test/support/docker.js';
import { fleetLabels, engineReplicas } from './swarm.js';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string' },
    services: { type: 'string' },
    mode: { type: 'string' },
    end: { type: 'string' },
    threads: { type: 'string' },
    swarm: { type: 'string' },
  },
});
const n = Number(o.services);
const sequential = o.mode === 'sequential';
const end = Number(o.end);
const docker = o.swarm ? dockerAt(o.swarm) : undefined;
const actuators: Actuator[] = docker
  ? [new SwarmActuator(docker)]
  : Array.from({ length: n }, (_, i) => new InMemoryActuator('swarm', `s${i}`, fleetLabels(i), 2));
// the schedule never fires during the bench: the cycles are run here, one after another
const cycle = sequential
  ? { fetchConcurrency: 1, cpuThreads: 0 }
  : o.threads !== undefined
    ? { cpuThreads: Number(o.threads) }
    : {};
const config = parseConfig({ cycle: { ...cycle, schedule: '0 0 1 1 *' } }, 'bench');
let now = end + 30;
const service = new PrescaleService({
  // as `serve` makes it: parsed off the main thread unless everything runs in it
  source: new PrometheusSource({ url: o.url as string, offThread: !sequential }),
  actuators,
  config,
  apply: true,
  logger: silentLogger(),
  clock: { now: () => now },
});
const before = docker ? await engineReplicas(docker) : undefined;
const app = await service.api();
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`URL ${address}`);
await new Promise((r) => setTimeout(r, 1500));
// the main thread's event loop delay: what any request waits, whoever sends it
const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
const cycles: Array<{ name: string; s: number; planned: number; applied: number }> = [];
for (const [name, at] of [
  ['cold', end + 30],
  ['warm', end + 90],
  ['warm2', end + 150],
] as const) {
  now = at;
  const r = await service.cycle();
  cycles.push({
    name,
    s: r.durationMs / 1000,
    planned: r.services.filter((s) => s.status === 'planned').length,
    applied: r.services.filter((s) => s.applied).length,
  });
}
eld.disable();
const eventLoop = { p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 };
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
let engine;
if (docker && before) {
  // what the engine holds now against what it held before the cycles, service by service
  const after = await engineReplicas(docker);
  const changed = [...after].filter(([name, r]) => before.get(name) !== r).length;
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  engine = { services: after.size, changed, replicasBefore: sum(before), replicasAfter: sum(after) };
}
const result = { mode: o.mode, services: n, cycles, maxRssMiB, eventLoop, ...(engine && { engine }) };
console.log(`RESULT ${JSON.stringify(result)}`);
// stopped once the parent's last probe is answered (it ends our stdin), not under it
process.stdin.resume();
await new Promise((r) => process.stdin.once('end', r));
await service.stop();
process.exit(0);

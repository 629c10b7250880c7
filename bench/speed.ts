/**
 * Speed: (1) fit+forecast time of each model and of `auto` on 14 days at 5 minutes (4,032
 * points); (2) one planning cycle for 1 and for 100 services whose 14 days of 1-minute history
 * sit in a real, backfilled Prometheus (cold: whole history fetched; warm: only new samples).
 * Writes bench/out/speed.md.  Run: npm run bench:speed
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Actuator, ScaleTarget } from '../src/actuator/port.js';
import { PrometheusSource } from '../src/collector/prometheus/source.js';
import { parseConfig } from '../src/config/schema.js';
import { contextOf, forecastSeries, forecastWith } from '../src/forecast/index.js';
import { BUILTIN_MODELS } from '../src/forecast/registry.js';
import { silentLogger } from '../src/observability/logger.js';
import { Reconciler } from '../src/reconcile/cycle.js';
import { dailyPeakLoad } from '../test/support/load.js';
import { hasPrometheus, startPrometheus } from '../test/support/prometheus.js';
import { loadTrace, TRACES_DIR } from './traces.js';

const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  console.log(line);
};
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

function time(fn: () => void, runs: number): number {
  fn(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

say(`# Speed (${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version})`);
say();
say('## Forecast: fit + forecast 12 steps on 4,032 points (14 days at 5 minutes), median of 15 runs');
say();
say('| trace | model | ms |');
say('|---|---|---|');
for (const name of ['elb_request_count_8c0756', 'nasa_http_1995_requests_per_min']) {
  const { series } = loadTrace(join(TRACES_DIR, `${name}.csv`));
  const values = series.values.slice(-4032);
  const ctx = contextOf(series);
  for (const m of BUILTIN_MODELS) {
    try {
      say(`| ${name} | ${m.name} | ${time(() => forecastWith(m, values, 12, ctx), 15).toFixed(2)} |`);
    } catch (err) {
      say(`| ${name} | ${m.name} | does not apply: ${err instanceof Error ? err.message : String(err)} |`);
    }
  }
  say(`| ${name} | **auto** | **${time(() => forecastSeries({ ...series, values }, 12), 15).toFixed(2)}** |`);
}

/** Many services in memory, each labelled with its own query. */
class ManyServices implements Actuator {
  readonly kind = 'swarm' as const;
  constructor(private readonly targets: ScaleTarget[]) {}
  async discover() {
    return this.targets;
  }
  async getReplicas() {
    return 1;
  }
  async setReplicas() {}
}

if (hasPrometheus()) {
  const STEP = 60;
  const end = Math.floor(Date.now() / 1000 / STEP) * STEP - STEP;
  const N = 100;
  const series = Array.from({ length: N }, (_, i) => ({
    name: 'load',
    labels: { service: `s${i}` },
    ...dailyPeakLoad({
      end,
      days: 14,
      step: STEP,
      peakSeconds: 3600 * (1 + (i % 4)),
      base: 100 + i,
      peak: 1000 + 10 * i,
      peakStartsIn: (i * 997) % 86_400,
    }),
  }));
  const t0 = performance.now();
  const prom = await startPrometheus({ series });
  const backfill = (performance.now() - t0) / 1000;
  try {
    say();
    say(
      `## One planning cycle, real Prometheus (14 days at ${STEP} s per service, ${series[0].timestamps.length} points; backfill of ${N} series took ${backfill.toFixed(1)} s)`,
    );
    say();
    say(
      '| services | cold cycle (whole history fetched) s | warm cycle (new samples only) s | per service, warm, ms |',
    );
    say('|---|---|---|---|');
    for (const n of [1, 10, N]) {
      const targets: ScaleTarget[] = Array.from({ length: n }, (_, i) => ({
        key: `swarm/s${i}`,
        kind: 'swarm',
        name: `s${i}`,
        replicas: 2,
        labels: {
          'prescale.enable': 'true',
          'prescale.query': `load{service="s${i}"}`,
          'prescale.capacity': '100',
          'prescale.max': '50',
        },
      }));
      const reconciler = new Reconciler({
        source: new PrometheusSource({ url: prom.url }),
        actuators: [new ManyServices(targets)],
        config: parseConfig({}, 'bench'),
        apply: false,
        logger: silentLogger(),
      });
      const now = Date.now() / 1000;
      const cold = await reconciler.runOnce(now);
      const warm = await reconciler.runOnce(now + 60);
      const planned = warm.services.filter((s) => s.status === 'planned').length;
      if (planned !== n)
        throw new Error(
          `only ${planned} of ${n} services planned: ${warm.services.find((s) => s.status !== 'planned')?.message}`,
        );
      say(
        `| ${n} | ${(cold.durationMs / 1000).toFixed(2)} | ${(warm.durationMs / 1000).toFixed(2)} | ${(warm.durationMs / n).toFixed(0)} |`,
      );
    }
  } finally {
    await prom.stop();
  }
} else {
  say();
  say('(cycle timing skipped: prometheus/promtool not installed)');
}

mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'out', 'speed.md'), out.join('\n') + '\n');

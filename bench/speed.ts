/**
 * Speed: (1) fit+forecast time of each model and of `auto` on 14 days at 5 minutes (4,032
 * points); (2) a 30-day `prescale simulate` at 5 minutes with hourly refits, whole (forecast walk
 * on the threads walkThreads gives it, the daily tuning, the replay), on one thread when that is
 * more, and its forecast walk alone, medians of 3 runs; (3) one planning cycle for 1 and for 100 services whose 14 days of
 * 1-minute history sit in a real, backfilled Prometheus (cold: whole history fetched; warm: only
 * new samples). Forecast times are medians over many runs after a warm-up, as wall-clock time and
 * as the process's CPU time (all its threads: the JIT compiler and the garbage collector work
 * beside the main thread). CPU time is what the forecast costs one core; another process busy on
 * the same machine lengthens the wall-clock time only. Writes bench/out/speed.md.  Run: npm run bench:speed
 */
import type { RegularSeries } from '../src/core/domain/series.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Actuator, ScaleTarget } from '../src/adapters/engines/port.js';
import { PrometheusSource } from '../src/adapters/sources/prometheus/source.js';
import { parseConfig } from '../src/config/schema.js';
import { contextOf, forecastSeries, forecastWith } from '../src/core/forecast/forecaster.js';
import { BUILTIN_MODELS } from '../src/core/forecast/registry.js';
import { silentLogger } from '../src/observability/logger.js';
import { Reconciler } from '../src/runtime/cycle.js';
import { forecastWalk } from '../src/core/simulate/simulate.js';
import { quantile } from '../src/core/series/stats.js';
import { walkThreads } from '../src/cli/parallel-walk.js';
import { runReplay } from '../src/cli/replay.js';
import { dailyPeakLoad } from '../test/support/load.js';
import { hasPrometheus, startPrometheus } from '../test/support/prometheus.js';
import { loadTrace, traceFiles, TRACES_DIR } from './traces.js';

const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  console.log(line);
};
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

/** Timed runs per figure, after WARMUP untimed ones (the JIT compiles the hot loops). */
const RUNS = 41;
const WARMUP = 10;
/** Runs of each simulate figure (the median is reported). */
const SIM_RUNS = 3;

interface Timing {
  /** Median wall-clock milliseconds. */
  readonly wall: number;
  /** Median CPU milliseconds of the process (user + system, all its threads). */
  readonly cpu: number;
}

function time(fn: () => void, runs = RUNS, warmup = WARMUP): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** One timed run of an async function (wall and CPU time of the process, all its threads). */
async function timeAsync(fn: () => Promise<unknown>): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

/** The last 4,032 samples of a series (14 days at 5 minutes), starting when they start. */
function lastDays(series: RegularSeries, n = 4032): RegularSeries {
  const from = Math.max(0, series.values.length - n);
  return { start: series.start + from * series.step, step: series.step, values: series.values.slice(from) };
}

const cells = (t: Timing) => `${t.wall.toFixed(2)} | ${t.cpu.toFixed(2)}`;

say(`# Speed (${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version})`);
say();
say(`Load average when started: ${loadavg()[0].toFixed(2)} (1 minute).`);
say();
say(
  `## Forecast: fit + forecast 12 steps on 4,032 points (14 days at 5 minutes), median of ${RUNS} runs after ${WARMUP} warm-up runs`,
);
say();
say('| trace | model | wall ms | CPU ms (one core) |');
say('|---|---|---|---|');
for (const name of ['elb_request_count_8c0756', 'nasa_http_1995_requests_per_min']) {
  const { series } = loadTrace(join(TRACES_DIR, `${name}.csv`));
  const last = lastDays(series);
  const values = last.values;
  const ctx = contextOf(last);
  for (const m of BUILTIN_MODELS) {
    try {
      say(`| ${name} | ${m.name} | ${cells(time(() => forecastWith(m, values, 12, ctx)))} |`);
    } catch (err) {
      say(`| ${name} | ${m.name} | does not apply: ${err instanceof Error ? err.message : String(err)} | |`);
    }
  }
  const auto = time(() => forecastSeries(last, 12));
  say(`| ${name} | **auto** | **${auto.wall.toFixed(2)}** | **${auto.cpu.toFixed(2)}** |`);
}
// auto on every trace: the models it ends up choosing, and so its cost, differ per series
const perTrace = traceFiles().map((file) => {
  const { series } = loadTrace(file);
  const last = lastDays(series);
  return time(() => forecastSeries(last, 12), 15);
});
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
say(
  `| all ${perTrace.length} traces (mean of medians of 15) | **auto** | **${mean(perTrace.map((t) => t.wall)).toFixed(2)}** | **${mean(perTrace.map((t) => t.cpu)).toFixed(2)}** |`,
);

{
  // the simulator: refit every hour on the last 14 days, forecast at every step (startup delay 300 s)
  const name = 'azure2019_vms_total_cpu_5min_reltime';
  const file = join(TRACES_DIR, `${name}.csv`);
  const { series } = loadTrace(file);
  const days = (series.values.length * series.step) / 86_400;
  // median of SIM_RUNS, the first one cold: a run takes seconds, and this machine's speed drifts
  const walk = time(() => forecastWalk(series, 3), SIM_RUNS, 0);
  // the whole replay as `prescale simulate` runs it: the walk (on walkThreads' threads), the
  // planner with the daily tuning (a week replayed ~11 times per day), the scores against the
  // references
  const C = quantile(series.values, 0.99) / 20;
  const replay = (threads?: number) => runReplay({ input: file, capacity: C, startupDelay: 300 }, undefined, threads);
  const threads = walkThreads(series);
  const medianOf = async (fn: () => Promise<unknown>): Promise<Timing> => {
    const runs: Timing[] = [];
    for (let i = 0; i < SIM_RUNS; i++) runs.push(await timeAsync(fn));
    return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
  };
  const whole = await medianOf(() => replay());
  const one = threads > 1 ? await medianOf(() => replay(1)) : undefined;
  say();
  say(
    `## Simulate: ${days.toFixed(0)} days at 5 minutes, hourly refits (auto), startup delay 300 s, median of ${SIM_RUNS} runs each`,
  );
  say();
  say('| what | wall s | CPU s (all threads) | goal |');
  say('|---|---|---|---|');
  const row = (what: string, t: Timing, goal = '') =>
    say(`| ${what} | ${(t.wall / 1000).toFixed(2)} | ${(t.cpu / 1000).toFixed(2)} | ${goal} |`);
  row(
    `${name}: whole \`prescale simulate\` (walk on ${threads === 1 ? 'one thread' : `${threads} threads`} + daily tuning + replay)`,
    whole,
    '≤ 2 s',
  );
  if (one) row(`${name}: the same on one thread`, one);
  row(`${name}: forecast walk alone, one thread`, walk);
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

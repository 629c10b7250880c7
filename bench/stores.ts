/**
 * Long-term stores: the time of a 14-day fetch of one series (60 s step, 20,161 points) through
 * prescale's source from Prometheus and from VictoriaMetrics, side by side in one run, and N
 * concurrent 14-day fetches of N different series against one server, as N instances × their
 * services make at start-up. Both servers are private ones on loopback (test/support), holding
 * the same history. Prints a markdown table and writes bench/out/stores.json.
 * Run: npm run bench:stores [-- --series 100 --repeats 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { PrometheusSource } from '../src/adapters/sources/prometheus/source.js';
import { isPrescaleError } from '../src/core/domain/errors.js';
import { quantile } from '../src/core/series/stats.js';
import { startPrometheus, type BackfillSeries, type PrometheusHandle } from '../test/support/prometheus.js';
import { startVictoria } from '../test/support/victoria.js';

const { values: args } = parseArgs({
  options: { series: { type: 'string', default: '100' }, repeats: { type: 'string', default: '5' } },
});
const SERIES = Number(args.series);
const REPEATS = Number(args.repeats);
const STEP = 60;
const end = Math.floor(Date.now() / 1000 / STEP) * STEP - 10 * STEP;
const start = end - 14 * 86_400;

const history: BackfillSeries[] = [...Array(SERIES).keys()].map((k) => {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = start; t <= end; t += STEP) {
    timestamps.push(t);
    values.push(Math.round(100 * (1000 + 500 * Math.sin((2 * Math.PI * t) / 86_400 + k))) / 100);
  }
  return { name: 'load', labels: { service: `s${k}` }, timestamps, values };
});

/** Wall time of `fn`, ms. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Wall time of n concurrent fetches, and how many failed (the source's own retries and 15 s timeout). */
async function fetchAll(url: string, n: number, maxPoints: number): Promise<{ ms: number; failed: number }> {
  // one source per instance: each has its own chunking and breaker, as separate processes would
  const sources = [...Array(n).keys()].map(() => new PrometheusSource({ url, maxPoints }));
  let failed = 0;
  const ms = await timed(() =>
    Promise.all(
      sources.map(async (s, k) => {
        try {
          const got = await s.queryRange(`load{service="s${k}"}`, start, end, STEP);
          if (got.timestamps.length !== 20_161) throw new Error(`s${k}: ${got.timestamps.length} points`);
        } catch (err) {
          failed++;
          if (!isPrescaleError(err)) throw err;
        }
      }),
    ),
  );
  return { ms, failed };
}

const median = (xs: number[]) => quantile(xs, 0.5);
const rows: Array<Record<string, string | number>> = [];

async function measure(server: string, handle: PrometheusHandle, chunkings: number[]): Promise<void> {
  for (const maxPoints of chunkings) {
    await fetchAll(handle.url, 1, maxPoints); // warm
    for (const n of [1, 10, 50, SERIES].filter((v, i, a) => v <= SERIES && a.indexOf(v) === i)) {
      const times: number[] = [];
      let failed = 0;
      for (let r = 0; r < REPEATS; r++) {
        const one = await fetchAll(handle.url, n, maxPoints);
        times.push(one.ms);
        failed += one.failed;
      }
      const [medianMs, maxMs] = [median(times), Math.max(...times)].map(Math.round);
      rows.push({ server, maxPoints, concurrent: n, medianMs, maxMs, failed: `${failed}/${n * REPEATS}` });
      console.error(JSON.stringify(rows.at(-1)));
    }
  }
}

const t0 = performance.now();
const vm = await startVictoria({ series: history });
const vmLoad = performance.now() - t0;
const t1 = performance.now();
const prom = await startPrometheus({ series: history });
const promLoad = performance.now() - t1;
try {
  await measure('VictoriaMetrics 1.79', vm, [10_000, 30_000]);
  await measure('Prometheus 2.42', prom, [10_000]);
} finally {
  await prom.stop();
  await vm.stop();
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(
  `history: ${SERIES} series × 20,161 points; load: VictoriaMetrics import ${Math.round(vmLoad)} ms, Prometheus backfill ${Math.round(promLoad)} ms; ${machine}\n`,
);
console.log('| server | points per request | concurrent 14-day fetches | median ms | max ms | failed |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(`| ${r.server} | ${r.maxPoints} | ${r.concurrent} | ${r.medianMs} | ${r.maxMs} | ${r.failed} |`);
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/stores.json', JSON.stringify({ machine, series: SERIES, vmLoad, promLoad, rows }, null, 2));

/**
 * Leave-one-trace-out validation of `auto`'s settings: every configuration (candidate set,
 * combination, shrinkage z, backtest length) is scored on every trace by the protocol of
 * bench/accuracy.ts; for each trace in turn the configuration with the lowest geometric-mean
 * MASE on the other nine is chosen and scored on the held-out one. The geometric mean of those
 * held-out scores is what a choice made this way is worth on a trace it never saw. A second
 * check on time: on the traces longer than three weeks, the configuration chosen on their
 * earlier weeks (the series without its last 7 days) is scored on the last week.
 * Writes bench/out/loto.{md,json}.  Run: npm run bench:loto [-- --origins 40] [--sets base,-mstl] [--combine 2,3] [--z 0,1] [--days 2,4]
 *   or [--configs 'base k3 z1 d2;-mstl k3 z0 d2 h12'] (h: the half-life of a backtest origin's weight, hours)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegularSeries } from '../src/core/domain/series.js';
import { evaluateSeries, geometricMean, horizonSteps } from '../src/core/forecast/evaluate.js';
import { AUTO_CANDIDATES } from '../src/core/forecast/registry.js';
import { DEFAULT_SELECTION, type SelectionSettings } from '../src/core/forecast/select.js';
import { LAG_REGRESSION } from './lag-regression.js';
import { loadTrace, traceFiles } from './traces.js';

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ORIGINS = Number(flag('--origins') ?? 8);

const list = (name: string, fallback: string) => (flag(name) ?? fallback).split(',');
/**
 * Candidate sets: today's (`base`), today's with (`+name`) or without (`-name`) one model, or
 * exactly the models listed (`=mstl+holt_winters`); `--sets base,+window_regression,=mstl+naive`.
 */
function setOf(set: string): readonly string[] {
  if (set === 'base') return AUTO_CANDIDATES;
  if (set.startsWith('=')) return set.slice(1).split('+');
  // +a+b adds models, -a-b removes them
  const names = set.slice(1).split(set[0]);
  if (set.startsWith('+')) return [...AUTO_CANDIDATES, ...names];
  return AUTO_CANDIDATES.filter((c) => !names.includes(c));
}
const SETS: Record<string, readonly string[]> = {};
for (const set of list(
  '--sets',
  'base,+window_regression,+window_regression_full,-mstl,-seasonal_naive_day,-seasonal_naive_week',
)) {
  SETS[set] = setOf(set);
}

interface Config {
  readonly name: string;
  readonly selection: SelectionSettings;
}

/** A configuration from its name, `<set> k<combine> z<z> d<backtest days> [h<half-life hours>]`. */
function parseConfig(name: string): Config {
  const [set, k, z, d, h] = name.trim().split(/\s+/);
  const num = (field: string | undefined, key: string) => {
    const v = Number(field?.slice(1));
    if (field?.[0] !== key || !(v >= 0)) throw new Error(`configuration "${name}": expected ${key}<number> for ${key}`);
    return v;
  };
  const selection = {
    candidates: setOf(set),
    combine: num(k, 'k'),
    z: num(z, 'z'),
    backtestDays: num(d, 'd'),
    halfLifeSec: h === undefined ? 0 : num(h, 'h') * 3600,
  };
  return { name: name.trim(), selection };
}

function grid(): Config[] {
  const named = flag('--configs');
  if (named) return named.split(';').map(parseConfig);
  const out: Config[] = [];
  const combines = list('--combine', '2,3,4').map(Number);
  const zs = list('--z', '0,1,2').map(Number);
  const days = list('--days', '2,4').map(Number);
  for (const [set, candidates] of Object.entries(SETS)) {
    for (const combine of combines) {
      for (const z of zs) {
        for (const backtestDays of days) {
          out.push({
            name: `${set} k${combine} z${z} d${backtestDays}`,
            selection: { candidates, combine, z, backtestDays },
          });
        }
      }
    }
  }
  return out;
}

const DEFAULT_NAME = `base k${DEFAULT_SELECTION.combine} z${DEFAULT_SELECTION.z} d${DEFAULT_SELECTION.backtestDays}${DEFAULT_SELECTION.halfLifeSec ? ` h${DEFAULT_SELECTION.halfLifeSec / 3600}` : ''}`;

interface Scores {
  mase: number[];
  coverage: number[];
  ms: number[];
}

/** MASE, coverage and ms of every configuration (and the peer) on one series. */
function scoreAll(series: RegularSeries, configs: readonly Config[]): { peer: number; byConfig: Scores } {
  const horizon = horizonSteps(3600, series.step);
  const base = { horizon, origins: ORIGINS, windowDays: 14, evalDays: 7 };
  const peer = evaluateSeries(series, { ...base, models: [LAG_REGRESSION.name], extraModels: [LAG_REGRESSION] });
  const byConfig: Scores = { mase: [], coverage: [], ms: [] };
  for (const c of configs) {
    const [s] = evaluateSeries(series, { ...base, models: ['auto'], selection: c.selection }).scores;
    byConfig.mase.push(s.mase);
    byConfig.coverage.push(s.coverage);
    byConfig.ms.push(s.fitMs);
  }
  return { peer: peer.scores[0].mase, byConfig };
}

/** Index of the configuration with the lowest geometric mean over `rows` (ties: the earlier). */
function bestOn(rows: readonly Scores[], count: number): number {
  let best = 0;
  let bestScore = Infinity;
  for (let c = 0; c < count; c++) {
    const g = geometricMean(rows.map((r) => r.mase[c]));
    if (g < bestScore) {
      bestScore = g;
      best = c;
    }
  }
  return best;
}

const configs = grid();
if (!configs.some((c) => c.name === DEFAULT_NAME)) configs.unshift(parseConfig(DEFAULT_NAME));
const iDefault = configs.findIndex((c) => c.name === DEFAULT_NAME);
const traces: { name: string; peer: number; scores: Scores; early?: Scores }[] = [];
for (const file of traceFiles()) {
  const { name, series } = loadTrace(file);
  const t0 = performance.now();
  const { peer, byConfig } = scoreAll(series, configs);
  let early: Scores | undefined;
  const week = Math.round((7 * 86400) / series.step);
  if (series.values.length * series.step > 21 * 86400) {
    const prefix = { ...series, values: series.values.slice(0, series.values.length - week) };
    early = scoreAll(prefix, configs).byConfig;
  }
  traces.push({ name, peer, scores: byConfig, early });
  console.error(`${name}: ${configs.length} configurations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  console.log(line);
};
const f3 = (v: number) => v.toFixed(3);
say(`# Leave-one-trace-out (${configs.length} configurations of auto, ${ORIGINS} origins per trace)`);
say();
say('| held-out trace | configuration chosen on the other nine | its MASE | default auto | lag regression (peer) |');
say('|---|---|---|---|---|');
const held: number[] = [];
const chosenNames: string[] = [];
for (let t = 0; t < traces.length; t++) {
  const others = traces.filter((_, j) => j !== t).map((x) => x.scores);
  const c = bestOn(others, configs.length);
  held.push(traces[t].scores.mase[c]);
  chosenNames.push(configs[c].name);
  const row = traces[t];
  say(
    `| ${row.name} | ${configs[c].name} | ${f3(row.scores.mase[c])} | ${f3(row.scores.mase[iDefault])} | ${f3(row.peer)} |`,
  );
}
const geoPeer = geometricMean(traces.map((t) => t.peer));
const geoDefault = geometricMean(traces.map((t) => t.scores.mase[iDefault]));
say(`| **geometric mean** | | **${f3(geometricMean(held))}** | **${f3(geoDefault)}** | **${f3(geoPeer)}** |`);
say();
const iAll = bestOn(
  traces.map((t) => t.scores),
  configs.length,
);
const cover = (c: number) => (100 * traces.reduce((a, t) => a + t.scores.coverage[c], 0)) / traces.length;
const ms = (c: number) => traces.reduce((a, t) => a + t.scores.ms[c], 0) / traces.length;
say(
  `Chosen on all ten: ${configs[iAll].name}, geo-mean ${f3(geometricMean(traces.map((t) => t.scores.mase[iAll])))}, p90 coverage ${cover(iAll).toFixed(1)} %, ${ms(iAll).toFixed(1)} ms per fit + forecast; default (${DEFAULT_NAME}) ${f3(geoDefault)}, ${cover(iDefault).toFixed(1)} %, ${ms(iDefault).toFixed(1)} ms. LOTO / peer = ${f3(geometricMean(held) / geoPeer)}.`,
);
const long = traces.filter((t) => t.early);
if (long.length) {
  const iEarly = bestOn(
    long.map((t) => t.early as Scores),
    configs.length,
  );
  const later = (c: number) => geometricMean(long.map((t) => t.scores.mase[c]));
  say();
  say(
    `Over time, on the ${long.length} traces longer than three weeks: chosen on their earlier weeks ${configs[iEarly].name}, last week's geo-mean ${f3(later(iEarly))} against the default's ${f3(later(iDefault))} and the peer's ${f3(geometricMean(long.map((t) => t.peer)))}.`,
  );
}
say();
say('Geo-mean MASE over the ten traces of each configuration, best first (top 15):');
say();
say('| configuration | geo-mean MASE | p90 coverage | ms |');
say('|---|---|---|---|');
const order = configs
  .map((c, i) => ({ c, i, g: geometricMean(traces.map((t) => t.scores.mase[i])) }))
  .sort((a, b) => a.g - b.g);
for (const { c, i, g } of order.slice(0, 15))
  say(`| ${c.name} | ${f3(g)} | ${cover(i).toFixed(1)} % | ${ms(i).toFixed(1)} |`);
const dir = join(import.meta.dirname, 'out');
mkdirSync(dir, { recursive: true });
const base = ORIGINS === 8 ? 'loto' : `loto-${ORIGINS}`;
writeFileSync(join(dir, `${base}.md`), `${out.join('\n')}\n`);
writeFileSync(
  join(dir, `${base}.json`),
  JSON.stringify({ configs: configs.map((c) => c.name), traces, held, chosen: chosenNames }, null, 1),
);

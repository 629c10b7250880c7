/**
 * Accuracy: the protocol of ../shared/bench/fcbench.py, in prescale's own code. Each trace at
 * 5-minute resolution (or its own, when coarser: nyc_taxi is at 30 minutes), 1 hour ahead in the
 * trace's steps (12 at 5 minutes, 2 at 30 minutes, as fcbench.py's round(3600 / step)), 8 rolling
 * origins over its last 7 days, each forecaster
 * refitted at every origin on the 14 days before it; MASE scaled by the in-sample MAE of the
 * 1-day seasonal naive; geometric mean over the traces. Also p90 coverage and fit time.
 * Writes bench/out/accuracy.{md,json}.  Run: npm run bench:accuracy [-- --models auto,holt_winters] [--origins 40]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { evaluateSeries, geometricMean, horizonSteps, type ModelScore } from '../src/core/forecast/evaluate.js';
import { AUTO_CANDIDATES } from '../src/core/forecast/registry.js';
import { LAG_REGRESSION } from './lag-regression.js';
import { loadTrace, traceFiles } from './traces.js';

/** The peers' scores on these traces under this protocol, as the forecasting issue quotes them. */
const PEERS: readonly [string, number][] = [
  ['1-day seasonal naive (fcbench)', 1.291],
  ['R forecast::stlf', 0.622],
  ['statsmodels Holt-Winters', 0.612],
  ['R auto.arima + Fourier', 0.592],
  ['direct lag regression (fcbench)', 0.582],
];

const arg = process.argv.indexOf('--models');
const models = arg > 0 ? process.argv[arg + 1].split(',') : ['auto', ...AUTO_CANDIDATES];
const originsArg = process.argv.indexOf('--origins');
/** Rolling origins per trace: 8 as fcbench.py; more (e.g. --origins 40) to tell a real gain from noise. */
const ORIGINS = originsArg > 0 ? Number(process.argv[originsArg + 1]) : Number(process.env.PRESCALE_BENCH_ORIGINS ?? 8);
if (!Number.isInteger(ORIGINS) || ORIGINS < 1) throw new Error(`--origins must be a whole number >= 1`);

const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  console.log(line);
};

const perTrace: { trace: string; scores: readonly ModelScore[]; peer: ModelScore }[] = [];
for (const file of traceFiles()) {
  const { name, series } = loadTrace(file);
  // one hour in the trace's own steps, as fcbench.py
  const horizon = horizonSteps(3600, series.step);
  const protocol = { horizon, origins: ORIGINS, windowDays: 14, evalDays: 7 };
  const ev = evaluateSeries(series, { ...protocol, models });
  // the peer on its own, so that it is no candidate of auto
  const [peer] = evaluateSeries(series, {
    ...protocol,
    models: [LAG_REGRESSION.name],
    extraModels: [LAG_REGRESSION],
  }).scores;
  perTrace.push({ trace: name, scores: ev.scores, peer });
  console.error(`${name}: ${ev.scores.map((s) => `${s.model} ${s.mase.toFixed(3)}`).join(', ')}`);
}

say(`# Forecast accuracy (${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version})`);
say();
say(
  `1 hour ahead (12 steps at 5 min, 2 on the 30-minute nyc_taxi), ${ORIGINS} origins over the last 7 days, 14-day training window, MASE.`,
);
say();
say(`| trace | ${models.join(' | ')} | lag regression (peer) |`);
say(`|---|${models.map(() => '---').join('|')}|---|`);
for (const t of perTrace) {
  say(`| ${t.trace} | ${t.scores.map((s) => s.mase.toFixed(3)).join(' | ')} | ${t.peer.mase.toFixed(3)} |`);
}
const peerGeo = geometricMean(perTrace.map((t) => t.peer.mase));
const summary = models.map((model, i) => {
  const col = perTrace.map((t) => t.scores[i]);
  return {
    model,
    maseGeo: geometricMean(col.map((s) => s.mase)),
    coverage: col.reduce((a, s) => a + s.coverage, 0) / col.length,
    smape: col.reduce((a, s) => a + s.smape, 0) / col.length,
    fitMs: col.reduce((a, s) => a + s.fitMs, 0) / col.length,
    fallbacks: col.reduce((a, s) => a + s.fallbacks, 0),
  };
});
say(
  `| **geometric mean** | ${summary.map((s) => `**${s.maseGeo.toFixed(3)}**`).join(' | ')} | **${peerGeo.toFixed(3)}** |`,
);
say();
say('| forecaster | geo-mean MASE | p90 coverage | sMAPE % | ms per fit+forecast | fallbacks |');
say('|---|---|---|---|---|---|');
for (const s of summary) {
  say(
    `| prescale ${s.model} | ${s.maseGeo.toFixed(3)} | ${(100 * s.coverage).toFixed(1)} % | ${s.smape.toFixed(1)} | ${s.fitMs.toFixed(1)} | ${s.fallbacks} |`,
  );
}
say(`| direct lag regression (fcbench \`lagreg\` in TypeScript, measured) | ${peerGeo.toFixed(3)} | | | | |`);
for (const [peer, mase] of PEERS) say(`| ${peer} (quoted) | ${mase.toFixed(3)} | | | | |`);
say();
const best = Math.min(...PEERS.map(([, v]) => v));
const auto = summary.find((s) => s.model === 'auto');
if (auto) {
  say(
    `auto / best peer = ${(auto.maseGeo / best).toFixed(3)} (goal <= 0.85); p90 coverage ${(100 * auto.coverage).toFixed(1)} % (goal 85-95 %).`,
  );
}
const dir = join(import.meta.dirname, 'out');
mkdirSync(dir, { recursive: true });
// the fcbench protocol (8 origins) writes accuracy.*; other origin counts accuracy-<N>.*
const base = ORIGINS === 8 ? 'accuracy' : `accuracy-${ORIGINS}`;
writeFileSync(join(dir, `${base}.md`), `${out.join('\n')}\n`);
writeFileSync(join(dir, `${base}.json`), JSON.stringify({ perTrace, summary }, null, 1));

/**
 * Same results: runs one build's `prescale forecast` and `prescale simulate --json` on every trace
 * of ../shared/traces and writes what they print and the files they write into one folder, with
 * the run time (`seconds`) removed, so that two builds compare with `diff -r`. A change meant to
 * be faster only (no change of forecast or schedule) must leave no difference.
 *
 *   node --import tsx bench/same-results.ts BIN OUTDIR     (BIN: a build's bin/prescale.js)
 *   diff -r OUTDIR_BEFORE OUTDIR_AFTER
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { traceFiles } from './traces.js';

const [bin, outDir] = process.argv.slice(2);
if (!bin || !outDir) {
  console.error('usage: same-results.ts BIN/prescale.js OUTDIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

/** The capacity of one replica: the trace's 99th percentile over 20, as the scaling bench sets it. */
function capacityOf(file: string): number {
  const values = readFileSync(file, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => Number(l.split(',')[1]))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return values[Math.floor(0.99 * (values.length - 1))] / 20 || 1;
}

const run = (args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

for (const file of traceFiles()) {
  const name = basename(file, '.csv');
  const t0 = performance.now();
  run(['forecast', '--input', file, '--horizon', '24', '--output', join(outDir, `${name}.forecast.csv`)]);
  const schedule = join(outDir, `${name}.schedule.csv`);
  const args = ['--input', file, '--capacity', String(capacityOf(file)), '--startup-delay', '300'];
  const summary = JSON.parse(run(['simulate', ...args, '--output', schedule, '--json'])) as Record<string, unknown>;
  const seconds = summary.seconds;
  delete summary.seconds;
  writeFileSync(join(outDir, `${name}.simulate.json`), `${JSON.stringify(summary, null, 1)}\n`);
  const total = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${name}: simulate ${Number(seconds).toFixed(2)} s (forecast + simulate ${total} s)`);
}

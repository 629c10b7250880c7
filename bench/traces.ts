/**
 * Loads the real workload traces of ../shared/traces the way the reference benches do
 * (../shared/bench/fcbench.py `load`): sorted, duplicates dropped, put on the file's most common
 * step, gaps interpolated, and averaged to 5-minute resolution when finer.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fillGaps, inferStep, resample, toRegular } from '../src/core/series/regular.js';
import type { RegularSeries } from '../src/core/domain/series.js';

/** Where the traces are: PRESCALE_TRACES, else ../shared/traces beside the repository. */
export const TRACES_DIR = resolve(
  process.env.PRESCALE_TRACES ?? join(import.meta.dirname, '..', '..', 'shared', 'traces'),
);

export interface Trace {
  readonly name: string;
  readonly series: RegularSeries;
}

/** All trace files (sorted by name). */
export function traceFiles(dir = TRACES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => join(dir, f));
}

/** Parses one trace file into a gap-free regular series at >= `minStep` seconds. */
export function loadTrace(path: string, minStep = 300): Trace {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/).slice(1);
  const rows = lines.map((l) => {
    const [ts, val] = l.split(',');
    const t = /^-?\d+(\.\d+)?$/.test(ts)
      ? Number(ts)
      : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(ts) ? ts : `${ts}Z`) / 1000;
    return [t, Number(val)] as const;
  });
  rows.sort((a, b) => a[0] - b[0]);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (const [t, v] of rows) {
    if (timestamps.length && timestamps[timestamps.length - 1] === t) continue;
    timestamps.push(t);
    values.push(v);
  }
  const step = inferStep(timestamps);
  let series = fillGaps(toRegular({ timestamps, values }, step));
  if (step < minStep) series = fillGaps(resample(series, minStep));
  return { name: basename(path, '.csv'), series };
}

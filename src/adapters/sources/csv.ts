import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isPrescaleError, PrescaleError } from '../../core/domain/errors.js';
import { isUsableValue, type RegularSeries, type Samples } from '../../core/domain/series.js';
import { toRegular } from '../../core/series/regular.js';
import type { MetricsSource } from './port.js';

/**
 * History as CSV: a header `timestamp,value`, then one sample a line. Timestamps are unix seconds
 * (integer or fractional) or ISO-8601 (a time without a zone is read as UTC).
 */

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const HAS_ZONE = /([zZ]|[+-]\d\d:?\d\d)$/;

/** Parses one timestamp cell to unix seconds, or NaN. */
export function parseTimestamp(cell: string): number {
  const s = cell.trim();
  if (NUMERIC.test(s)) return Number(s);
  if (!/^\d{4}-\d\d-\d\d/.test(s)) return Number.NaN;
  return Date.parse(HAS_ZONE.test(s) || s.length === 10 ? s : `${s}Z`) / 1000;
}

/**
 * Parses CSV text (`where` names it in errors). Sorts by time; a repeated timestamp: the last row
 * wins. An empty or NaN value is a gap; a value beyond MAX_ABS_VALUE (1e309 reads as Infinity) is
 * left out too and counted in `dropped`.
 */
export function parseSamplesCsv(text: string, where: string): Samples {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '')
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/\s/g, '');
  if (!header) throw new PrescaleError('E_INPUT', `${where}: empty file (expected a header "timestamp,value")`);
  if (header !== 'timestamp,value') {
    throw new PrescaleError('E_INPUT', `${where}:1: expected the header "timestamp,value", found "${lines[0].trim()}"`);
  }
  const rows = new Map<number, number>();
  let dropped = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const cells = line.split(',');
    if (cells.length !== 2)
      throw new PrescaleError('E_INPUT', `${where}:${i + 1}: expected 2 columns, found ${cells.length}: "${line}"`);
    const t = parseTimestamp(cells[0]);
    if (!Number.isFinite(t)) throw new PrescaleError('E_INPUT', `${where}:${i + 1}: not a timestamp: "${cells[0]}"`);
    const vText = cells[1].trim();
    const v = vText === '' || /^nan$/i.test(vText) ? Number.NaN : NUMERIC.test(vText) ? Number(vText) : undefined;
    if (v === undefined) throw new PrescaleError('E_INPUT', `${where}:${i + 1}: not a number: "${cells[1]}"`);
    if (isUsableValue(v)) rows.set(t, v);
    else if (!Number.isNaN(v)) dropped++;
  }
  const timestamps = [...rows.keys()].sort((a, b) => a - b);
  return { timestamps, values: timestamps.map((t) => rows.get(t) as number), ...(dropped > 0 && { dropped }) };
}

/** Reads a history file. Errors (E_INPUT) name the file and the line. */
export function readSamplesCsv(path: string): Samples {
  if (!existsSync(path)) throw new PrescaleError('E_INPUT', `${path}: no such file`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PrescaleError('E_INPUT', `${path}: cannot read`, { cause: err });
  }
  return parseSamplesCsv(text, path);
}

/**
 * A history file as a regular series at its own step (missing samples NaN). Fewer than two
 * samples leave no step to infer, and timestamps too far apart for their step make a grid above
 * MAX_GRID_POINTS: E_INPUT naming the file. `dropped` as in Samples.
 */
export function readSeriesCsv(path: string): RegularSeries & { readonly dropped?: number } {
  const samples = readSamplesCsv(path);
  if (samples.timestamps.length < 2) {
    throw new PrescaleError('E_INPUT', `${path}: needs at least 2 samples, has ${samples.timestamps.length}`);
  }
  try {
    const series = toRegular(samples);
    return samples.dropped ? { ...series, dropped: samples.dropped } : series;
  } catch (err) {
    if (!isPrescaleError(err, 'E_INPUT')) throw err;
    throw new PrescaleError('E_INPUT', `${path}: ${err.message}`, { cause: err });
  }
}

/**
 * Writes rows under a header, atomically (a temp file renamed over the target). When the write
 * or the rename fails, the temp file is removed: nothing is left beside the target.
 */
export function writeCsv(
  path: string,
  header: readonly string[],
  rows: readonly (readonly (number | string)[])[],
): void {
  const body = [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, body);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new PrescaleError('E_INPUT', `${path}: cannot write`, { cause: err });
  }
}

/** Writes samples as `timestamp,value` (unix seconds). */
export function writeSamplesCsv(path: string, samples: Samples): void {
  writeCsv(
    path,
    ['timestamp', 'value'],
    samples.timestamps.map((t, i) => [t, samples.values[i]]),
  );
}

/**
 * A MetricsSource over CSV files: the query is the file's path. Used for the embedded default
 * and for replaying recorded history.
 */
export class CsvSource implements MetricsSource {
  async queryRange(query: string, start: number, end: number): Promise<Samples> {
    const all = readSamplesCsv(query);
    const timestamps: number[] = [];
    const values: number[] = [];
    all.timestamps.forEach((t, i) => {
      if (t >= start && t <= end) {
        timestamps.push(t);
        values.push(all.values[i]);
      }
    });
    return { timestamps, values, ...(all.dropped !== undefined && { dropped: all.dropped }) };
  }
}

import { readSeriesCsv } from '../adapters/sources/csv.js';
import { MAX_ABS_VALUE } from '../core/domain/limits.js';
import type { RegularSeries } from '../core/domain/series.js';
import { maskSeries } from '../core/series/mask.js';
import { loadExcludeFile } from '../config/schema.js';

/**
 * A history file for a command (readSeriesCsv), saying on stderr how many of its values were
 * left out as gaps because they were not finite or beyond MAX_ABS_VALUE, and, with an
 * `--exclude` file, how many fell inside its masks (gaps too, as the service treats them).
 */
export function readHistory(path: string, excludeFile?: string): RegularSeries {
  const { dropped, ...series } = readSeriesCsv(path);
  if (dropped) {
    process.stderr.write(
      `note: ${path}: ${dropped} values beyond ±${MAX_ABS_VALUE} or not finite were left out as gaps\n`,
    );
  }
  if (excludeFile === undefined) return series;
  const masked = maskSeries(series, loadExcludeFile(excludeFile));
  if (masked.masked) {
    process.stderr.write(
      `note: ${path}: ${masked.masked} samples inside the masks of ${excludeFile} left out as gaps\n`,
    );
  }
  return masked.series;
}

/** `--exclude FILE.yaml` of every command that reads a history file. */
export const EXCLUDE_FLAG = [
  '--exclude <file>',
  'YAML list of event masks ({name, start, end} ranges, {name, dates, timezone} days): left out as gaps',
] as const;

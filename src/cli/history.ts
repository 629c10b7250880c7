import { readSeriesCsv } from '../adapters/sources/csv.js';
import { MAX_ABS_VALUE } from '../core/domain/limits.js';
import type { RegularSeries } from '../core/domain/series.js';

/**
 * A history file for a command (readSeriesCsv), saying on stderr how many of its values were
 * left out as gaps because they were not finite or beyond MAX_ABS_VALUE.
 */
export function readHistory(path: string): RegularSeries {
  const { dropped, ...series } = readSeriesCsv(path);
  if (dropped) {
    process.stderr.write(
      `note: ${path}: ${dropped} values beyond ±${MAX_ABS_VALUE} or not finite were left out as gaps\n`,
    );
  }
  return series;
}

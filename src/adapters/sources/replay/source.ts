import { fileURLToPath } from 'node:url';
import { PrescaleError } from '../../../core/domain/errors.js';
import type { Samples } from '../../../core/domain/series.js';
import { inferStep } from '../../../core/series/regular.js';
import { readSamplesCsv } from '../csv.js';
import type { MetricsSource } from '../port.js';
import type { SourceFactory } from '../registry.js';

/** The sample history shipped in data/ (14 days of a web service), what `serve --embedded` replays. */
export const SAMPLE_HISTORY = fileURLToPath(new URL('../../../../data/sample-web.csv', import.meta.url));

/**
 * Recorded history replayed as if it were live (the embedded default: no Prometheus): the query
 * is a CSV file's path; the file's span repeats end to end, shifted so that its calendar (time of
 * day, day of week) is kept.
 */
export class ReplaySource implements MetricsSource {
  private readonly cache = new Map<string, { t0: number; step: number; values: number[] }>();

  private load(path: string) {
    let c = this.cache.get(path);
    if (!c) {
      const s = readSamplesCsv(path);
      if (s.timestamps.length < 2) throw new PrescaleError('E_INPUT', `${path}: needs at least 2 samples to replay`);
      const step = inferStep(s.timestamps);
      const values: number[] = [];
      const t0 = s.timestamps[0];
      // on the file's grid; a missing row repeats the one before
      for (let i = 0, j = 0; t0 + i * step <= s.timestamps[s.timestamps.length - 1]; i++) {
        while (j + 1 < s.timestamps.length && s.timestamps[j + 1] <= t0 + i * step) j++;
        values.push(s.values[j]);
      }
      c = { t0, step, values };
      this.cache.set(path, c);
    }
    return c;
  }

  async queryRange(query: string, start: number, end: number, step: number): Promise<Samples> {
    const c = this.load(query);
    const span = c.values.length * c.step;
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let t = start; t <= end; t += step) {
      const phase = (((t - c.t0) % span) + span) % span;
      timestamps.push(t);
      values.push(c.values[Math.floor(phase / c.step)]);
    }
    return { timestamps, values };
  }
}

/** The `replay` source: needs no settings. */
export const replaySource: SourceFactory = () => ({
  source: new ReplaySource(),
  where: `embedded sample ${SAMPLE_HISTORY}`,
});

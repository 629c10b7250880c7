import { readFileSync } from 'node:fs';
import { SAMPLE_HISTORY } from '../../src/adapters/sources/replay/source.js';

/**
 * A planning-clock start for `serve --embedded` half an hour before the steepest two-hour rise of
 * its replayed sample, on the latest repetition of the sample before `now`. The replay keeps the
 * sample's time of day and week, so a clock started at the wall time would plan a quiet evening on
 * some days (no scale action, a flat capacity line) and a peak on others: tests that need the
 * planner to act start here instead.
 */
export function rampStart(now = Math.floor(Date.now() / 1000)): number {
  const rows = readFileSync(SAMPLE_HISTORY, 'utf8').trim().split('\n').slice(1);
  const t = rows.map((r) => Number(r.split(',')[0]));
  const v = rows.map((r) => Number(r.split(',')[1]));
  const step = t[1] - t[0];
  const span = t.length * step;
  const ahead = Math.round(7200 / step);
  let best = 0;
  for (let i = 0; i + ahead < v.length; i++) if (v[i + ahead] - v[i] > v[best + ahead] - v[best]) best = i;
  const start = t[best] - 1800;
  return start + Math.floor((now - start) / span) * span;
}

/**
 * Writes data/sample-web.csv, the history behind the embedded default (`npm start`): 14 days of
 * requests per second of a web service at 5-minute steps, from Monday 2026-01-05 00:00 UTC. A
 * business-day rhythm (morning ramp, lunch dip, evening tail), quieter weekends, a short daily
 * batch burst at 02:00, and seeded noise, so the file is the same on every run.
 *   node --import tsx data/make-sample.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const START = Date.UTC(2026, 0, 5) / 1000;
const STEP = 300;
let seed = 42;
/** Park-Miller LCG: deterministic noise in [0, 1). */
const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

const rows = ['timestamp,value'];
for (let i = 0; i < 14 * 288; i++) {
  const t = START + i * STEP;
  const hour = ((t % 86_400) / 3600) % 24;
  const weekday = new Date(t * 1000).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  const day = Math.exp(-((hour - 11) ** 2) / 8) + 0.8 * Math.exp(-((hour - 16) ** 2) / 6) - 0.25 * Math.exp(-((hour - 13) ** 2) / 0.5);
  const batch = hour >= 2 && hour < 2.25 ? 250 : 0;
  const level = 120 + (weekend ? 350 : 900) * Math.max(0, day) + batch;
  rows.push(`${t},${Math.round(level * (0.92 + 0.16 * rand()) * 10) / 10}`);
}
writeFileSync(join(import.meta.dirname, 'sample-web.csv'), rows.join('\n') + '\n');

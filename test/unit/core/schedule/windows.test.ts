import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSchedule } from '../../../../src/config/schedules.js';
import { nextOccurrence } from '../../../../src/core/schedule/cron.js';
import { nextOpening, windowBounds, type ScheduleWindow } from '../../../../src/core/schedule/windows.js';
import { instantOf, wallOf } from '../../../../src/core/schedule/zone.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (sec: number | undefined) => (sec === undefined ? 'never' : new Date(sec * 1000).toISOString());

/** A window through the config's parser, as the service gets it. */
function win(o: { name?: string; cron: string; duration: string; timezone?: string; min?: number; max?: number }) {
  const r = parseSchedule({ name: 'w', ...o });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}

const next = (cron: string, after: string, timezone = 'UTC') =>
  iso(nextOpening(win({ cron, duration: '1h', timezone, min: 1 }), at(after)));

test('cron: the next opening in UTC, strictly after the time', () => {
  assert.equal(next('0 20 * * 5', '2026-11-25T12:00:00Z'), '2026-11-27T20:00:00.000Z'); // a Friday
  assert.equal(next('0 20 * * 5', '2026-11-27T20:00:00Z'), '2026-12-04T20:00:00.000Z');
  assert.equal(next('* * * * *', '2026-11-27T20:00:30Z'), '2026-11-27T20:01:00.000Z');
  assert.equal(next('*/15 9-17 * * mon-fri', '2026-11-27T17:50:00Z'), '2026-11-30T09:00:00.000Z');
  assert.equal(next('0 0 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
});

test('cron: day of month and day of week both restricted match either (Vixie cron)', () => {
  // the 1st of December 2026 is a Tuesday; the next Friday is the 4th
  assert.equal(next('0 12 1 * 5', '2026-11-30T00:00:00Z'), '2026-12-01T12:00:00.000Z');
  assert.equal(next('0 12 1 * 5', '2026-12-01T13:00:00Z'), '2026-12-04T12:00:00.000Z');
});

test('cron in a time zone: the wall time of the zone, its offset in winter and in summer', () => {
  assert.equal(next('0 20 * * 5', '2026-11-25T12:00:00Z', 'Europe/Paris'), '2026-11-27T19:00:00.000Z');
  assert.equal(next('0 20 * * 5', '2026-07-01T12:00:00Z', 'Europe/Paris'), '2026-07-03T18:00:00.000Z');
  assert.equal(next('0 9 * * *', '2026-11-27T00:00:00Z', 'America/New_York'), '2026-11-27T14:00:00.000Z');
});

test('DST spring forward: a 02:30 that does not exist runs at 03:30 summer time, once, and the next day at 02:30', () => {
  // Europe/Paris skips 02:00–03:00 on Sunday 29 March 2026
  const first = next('30 2 * * *', '2026-03-28T12:00:00Z', 'Europe/Paris');
  assert.equal(first, '2026-03-29T01:30:00.000Z'); // 03:30 CEST
  assert.equal(next('30 2 * * *', first, 'Europe/Paris'), '2026-03-30T00:30:00.000Z'); // 02:30 CEST
  // times after the gap keep their own wall time
  assert.equal(next('15 3 * * *', '2026-03-28T12:00:00Z', 'Europe/Paris'), '2026-03-29T01:15:00.000Z');
});

test('DST fall back: a 02:30 that happens twice runs at the first one, once', () => {
  // Europe/Paris repeats 02:00–03:00 on Sunday 25 October 2026
  const first = next('30 2 * * *', '2026-10-24T12:00:00Z', 'Europe/Paris');
  assert.equal(first, '2026-10-25T00:30:00.000Z'); // 02:30 CEST
  assert.equal(next('30 2 * * *', first, 'Europe/Paris'), '2026-10-26T01:30:00.000Z'); // 02:30 CET the next day
});

test('zone: wall time and instant round-trip; the gap and the overlap resolve as Temporal "compatible"', () => {
  const tz = 'Europe/Paris';
  const t = Date.parse('2026-06-01T10:00:00Z');
  assert.equal(instantOf(wallOf(t, tz), tz), t);
  assert.equal(new Date(instantOf(Date.UTC(2026, 2, 29, 2, 30), tz)).toISOString(), '2026-03-29T01:30:00.000Z');
  assert.equal(new Date(instantOf(Date.UTC(2026, 9, 25, 2, 30), tz)).toISOString(), '2026-10-25T00:30:00.000Z');
});

test('a window spanning the autumn fall-back lasts its duration in real seconds', () => {
  // opens at midnight CEST (22:00Z), 4 h: to 02:00Z, which is 03:00 CET after the clocks went back
  const w = win({ cron: '0 0 25 10 *', duration: '4h', timezone: 'Europe/Paris', min: 5 });
  assert.deepEqual(windowBounds([w], at('2026-10-25T01:30:00Z'), 0).min?.value, 5); // the second 02:30
  assert.equal(windowBounds([w], at('2026-10-25T01:59:59Z'), 0).active.length, 1);
  assert.equal(windowBounds([w], at('2026-10-25T02:00:00Z'), 0).active.length, 0);
});

const sale = win({ name: 'sale', cron: '0 20 * * 5', duration: '2h', min: 10, max: 40 });

test('window bounds: the min holds from the lead before the opening, the max only once open, both end at the close', () => {
  const lead = 360; // startup delay 300 s and a 60 s cycle
  const cases: Array<[string, number | undefined, number | undefined]> = [
    ['2026-11-27T19:53:59Z', undefined, undefined],
    ['2026-11-27T19:54:00Z', 10, undefined],
    ['2026-11-27T19:59:59Z', 10, undefined],
    ['2026-11-27T20:00:00Z', 10, 40],
    ['2026-11-27T21:59:59Z', 10, 40],
    ['2026-11-27T22:00:00Z', undefined, undefined],
  ];
  for (const [t, min, max] of cases) {
    const b = windowBounds([sale], at(t), lead);
    assert.equal(b.min?.value, min, t);
    assert.equal(b.max?.value, max, t);
    assert.deepEqual(b.active, min === undefined ? [] : ['sale'], t);
  }
});

test('overlapping windows: the largest min and the smallest max, each with the window that set it', () => {
  const batch = win({ name: 'batch', cron: '30 20 * * 5', duration: '1h', min: 15, max: 30 });
  const b = windowBounds([sale, batch], at('2026-11-27T20:45:00Z'), 0);
  assert.deepEqual(b.min, { value: 15, window: 'batch' });
  assert.deepEqual(b.max, { value: 30, window: 'batch' });
  assert.deepEqual(b.active, ['sale', 'batch']);
  // before the batch opens only the sale holds
  assert.deepEqual(windowBounds([sale, batch], at('2026-11-27T20:10:00Z'), 0).min, { value: 10, window: 'sale' });
});

test('overlapping windows with no replica count between them: E_CONFIG naming both', () => {
  const freeze = win({ name: 'freeze', cron: '0 21 * * 5', duration: '30m', max: 4 });
  assert.throws(
    () => windowBounds([sale, freeze], at('2026-11-27T21:10:00Z'), 0),
    (e: Error & { code?: string }) => e.code === 'E_CONFIG' && /sale \(min 10\).*freeze \(max 4\)/.test(e.message),
  );
});

test('a min still pre-warming gives way to the max of a window open now', () => {
  const maintenance = win({ name: 'maintenance', cron: '0 18 * * 5', duration: '2h', max: 2 });
  const b = windowBounds([maintenance, sale], at('2026-11-27T19:57:00Z'), 360);
  assert.deepEqual(b.max, { value: 2, window: 'maintenance' });
  assert.equal(b.min?.value, 2);
});

test('a cron that never matches again has no next opening and sets no bounds', () => {
  const w: ScheduleWindow = {
    ...sale,
    cron: { ...sale.cron, daysOfMonth: [31], months: [2], anyDayOfMonth: false, anyDayOfWeek: true },
  };
  assert.equal(nextOccurrence(w.cron, Date.parse('2026-01-01T00:00:00Z'), 'UTC'), undefined);
  assert.deepEqual(windowBounds([w], at('2026-01-01T00:00:00Z'), 0), { active: [] });
});

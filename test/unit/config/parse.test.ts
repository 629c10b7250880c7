import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bool, decimal, duration, showDuration, wholeNumber } from '../../../src/config/parse.js';

const value = (r: { ok: boolean; value?: unknown; error?: string }) => (r.ok ? r.value : `error: ${r.error}`);

test('wholeNumber: plain decimal text or a whole number, within bounds', () => {
  const p = wholeNumber(1, 10);
  const rows: Array<[unknown, unknown]> = [
    ['1', 1],
    [10, 10],
    ['0', 'error: not a whole number >= 1'],
    ['11', 'error: above the limit of 10'],
    ['2.0', 2],
    ['2.5', 'error: not a whole number >= 1'],
    ['0x2', 'error: not a whole number >= 1'],
    ['+2', 'error: not a whole number >= 1'],
    [Number.NaN, 'error: not a whole number >= 1'],
    [Number.POSITIVE_INFINITY, 'error: not a whole number >= 1'],
    [true, 'error: not a whole number >= 1'],
    [null, 'error: not a whole number >= 1'],
  ];
  for (const [raw, want] of rows) assert.equal(value(p.parse(raw)), want, String(raw));
  assert.equal(p.show(Number.POSITIVE_INFINITY), 'no limit');
});

test('decimal: the digits of 1e400 are not a finite number', () => {
  const p = decimal({ min: 0, above: true, expects: 'a positive number' });
  assert.equal(value(p.parse('1' + '0'.repeat(400))), 'error: not a positive number');
  assert.equal(value(p.parse('0.25')), 0.25);
  assert.equal(value(p.parse('0')), 'error: not a positive number');
});

test('duration: seconds, s/m/h/d, bounds said apart from a malformed value', () => {
  const p = duration({ min: 1, max: 86_400, whole: true });
  const rows: Array<[unknown, unknown]> = [
    ['90', 90],
    ['90s', 90],
    ['5m', 300],
    ['1.5h', 5400],
    ['1d', 86_400],
    [600, 600],
    ['0', 'error: below the minimum of 1s'],
    ['2d', 'error: above the limit of 1d'],
    ['1.5', 'error: not a duration in whole seconds (e.g. 90, 90s, 5m, 1h)'],
    ['5 m', 'error: not a duration in whole seconds (e.g. 90, 90s, 5m, 1h)'],
    ['-5', 'error: not a duration in whole seconds (e.g. 90, 90s, 5m, 1h)'],
    ['1e3', 'error: not a duration in whole seconds (e.g. 90, 90s, 5m, 1h)'],
  ];
  for (const [raw, want] of rows) assert.equal(value(p.parse(raw)), want, String(raw));
  assert.deepEqual([0, 45, 300, 5400, 7200, 86_400].map(showDuration), ['0', '45s', '5m', '90m', '2h', '1d']);
});

test('bool: true or false in any case, nothing else', () => {
  assert.deepEqual(
    ['true', 'FALSE', true].map((r) => value(bool.parse(r))),
    [true, false, true],
  );
  assert.equal(value(bool.parse('yes')), 'error: not true or false');
  assert.equal(value(bool.parse(' true')), 'error: not true or false');
});

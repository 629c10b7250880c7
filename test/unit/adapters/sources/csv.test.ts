import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  parseSamplesCsv,
  parseTimestamp,
  readSamplesCsv,
  readSeriesCsv,
  writeCsv,
  writeSamplesCsv,
} from '../../../../src/adapters/sources/csv.js';
import { rateFromCounter } from '../../../../src/core/series/counter.js';
import { isPrescaleError } from '../../../../src/core/domain/errors.js';

test('timestamps: unix seconds and ISO-8601 with or without a zone', () => {
  assert.equal(parseTimestamp('1700000000'), 1_700_000_000);
  assert.equal(parseTimestamp('1700000000.5'), 1_700_000_000.5);
  assert.equal(parseTimestamp('2014-04-10T00:04:00'), Date.UTC(2014, 3, 10, 0, 4) / 1000);
  assert.equal(parseTimestamp('1995-07-01T00:00:00-04:00'), Date.UTC(1995, 6, 1, 4) / 1000);
  assert.equal(parseTimestamp('2014-04-10T00:04:00Z'), Date.UTC(2014, 3, 10, 0, 4) / 1000);
  assert.ok(Number.isNaN(parseTimestamp('yesterday')));
});

test('sorts, lets the last duplicate win, skips blank lines and NaN values', () => {
  const s = parseSamplesCsv('timestamp,value\n3,30\n1,10\n\n2,NaN\n3,31\n', 'f.csv');
  assert.deepEqual(s, { timestamps: [1, 3], values: [10, 31] });
});

test('drops values that overflow or exceed MAX_ABS_VALUE, and counts them', () => {
  const s = parseSamplesCsv('timestamp,value\n1,10\n2,1e309\n3,-2e100\n4,1e100\n5,\n', 'f.csv');
  assert.deepEqual(s, { timestamps: [1, 4], values: [10, 1e100], dropped: 2 });
});

test('a timestamp far from the others is refused before its grid is allocated, naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-csv-'));
  const path = join(dir, 'jump.csv');
  writeFileSync(path, 'timestamp,value\n1,1\n2,1\n3,1\n1767571200,1\n');
  assert.throws(
    () => readSeriesCsv(path),
    (e: unknown) =>
      isPrescaleError(e, 'E_INPUT') &&
      e.message.startsWith(`${path}: samples from 1 to 1767571200 at a 1 s step`) &&
      /more than 1000000/.test(e.message),
  );
});

test('a write that fails leaves no temp file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-csv-'));
  const target = join(dir, 'out.csv');
  mkdirSync(target); // renaming a file over a directory fails
  assert.throws(
    () => writeCsv(target, ['a'], [[1]]),
    (e: unknown) => isPrescaleError(e, 'E_INPUT') && e.message === `${target}: cannot write`,
  );
  assert.deepEqual(readdirSync(dir), ['out.csv']);
});

const bad: Array<[string, string, RegExp]> = [
  ['empty file', '', /f\.csv: empty file/],
  ['wrong header', 'time,val\n1,2\n', /f\.csv:1: expected the header/],
  ['bad timestamp', 'timestamp,value\n1,2\nnoon,3\n', /f\.csv:3: not a timestamp: "noon"/],
  ['bad value', 'timestamp,value\n1,abc\n', /f\.csv:2: not a number: "abc"/],
  ['three columns', 'timestamp,value\n1,2,3\n', /f\.csv:2: expected 2 columns/],
];
for (const [name, text, msg] of bad) {
  test(`rejects ${name}, naming file and line`, () => {
    assert.throws(
      () => parseSamplesCsv(text, 'f.csv'),
      (e: unknown) => isPrescaleError(e, 'E_INPUT') && msg.test(e.message),
    );
  });
}

test('a missing file is named', () => {
  assert.throws(
    () => readSamplesCsv('/nonexistent/h.csv'),
    (e: unknown) => isPrescaleError(e, 'E_INPUT') && /\/nonexistent\/h\.csv: no such file/.test(e.message),
  );
});

test('write then read round-trips', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-csv-'));
  const path = join(dir, 'h.csv');
  const samples = { timestamps: [60, 120, 180], values: [1.25, 0, 1e6] };
  writeSamplesCsv(path, samples);
  assert.equal(readFileSync(path, 'utf8'), 'timestamp,value\n60,1.25\n120,0\n180,1000000\n');
  assert.deepEqual(readSamplesCsv(path), samples);
  writeFileSync(path, 'timestamp,value\n');
  assert.deepEqual(readSamplesCsv(path), { timestamps: [], values: [] });
});

test('counter rate handles resets as Prometheus does', () => {
  const r = rateFromCounter({ timestamps: [0, 10, 20, 30, 40], values: [100, 200, 50, 150, 150] });
  assert.deepEqual(r, { timestamps: [10, 20, 30, 40], values: [10, 5, 10, 0] });
});

test('readSeriesCsv carries the dropped count of the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-csv-'));
  const path = join(dir, 'h.csv');
  writeFileSync(path, 'timestamp,value\n0,1\n60,1e309\n120,3\n180,4\n');
  const s = readSeriesCsv(path);
  assert.equal(s.dropped, 1);
  assert.deepEqual(s.values, [1, Number.NaN, 3, 4]);
});

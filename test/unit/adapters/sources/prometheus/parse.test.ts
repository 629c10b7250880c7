import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRangeResponse, stitch } from '../../../../../src/adapters/sources/prometheus/parse.js';
import { isPrescaleError } from '../../../../../src/core/domain/errors.js';

const ok = (result: unknown[]) => ({ status: 'success', data: { resultType: 'matrix', result } });

test('parses one series, dropping NaN and Inf as gaps', () => {
  const p = parseRangeResponse(
    ok([
      {
        metric: { job: 'a' },
        values: [
          [1, '1.5'],
          [2, 'NaN'],
          [3, '+Inf'],
          [4, '2'],
        ],
      },
    ]),
    'q',
  );
  assert.deepEqual(p.samples, { timestamps: [1, 4], values: [1.5, 2] });
  assert.equal(p.nonFinite, 2);
});

test('an empty result is an empty series', () => {
  assert.deepEqual(parseRangeResponse(ok([]), 'q').samples, { timestamps: [], values: [] });
});

const bad: Array<[string, unknown, string, RegExp]> = [
  [
    'error status',
    { status: 'error', errorType: 'bad_data', error: 'parse error at char 3' },
    'E_SOURCE_QUERY',
    /parse error at char 3/,
  ],
  [
    'several series',
    ok([
      { metric: { pod: 'a' }, values: [] },
      { metric: { pod: 'b' }, values: [] },
    ]),
    'E_SOURCE_DATA',
    /2 series.*pod="a".*pod="b"/,
  ],
  ['vector, not matrix', { status: 'success', data: { resultType: 'vector', result: [] } }, 'E_SOURCE_DATA', /vector/],
  ['not an object', null, 'E_SOURCE_DATA', /not JSON/],
];
for (const [name, body, code, msg] of bad) {
  test(`rejects ${name}`, () => {
    assert.throws(
      () => parseRangeResponse(body, 'q'),
      (e: unknown) => isPrescaleError(e) && e.code === code && msg.test(e.message),
    );
  });
}

test('stitch concatenates and never repeats a timestamp', () => {
  const s = stitch([
    { timestamps: [1, 2, 3], values: [1, 2, 3] },
    { timestamps: [3, 4], values: [30, 4] },
    { timestamps: [], values: [] },
    { timestamps: [5], values: [5] },
  ]);
  assert.deepEqual(s, { timestamps: [1, 2, 3, 4, 5], values: [1, 2, 3, 4, 5] });
});

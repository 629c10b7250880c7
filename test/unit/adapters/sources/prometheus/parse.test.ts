import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRangeResponse, stitch } from '../../../../../src/adapters/sources/prometheus/parse.js';
import { isPrescaleError } from '../../../../../src/core/domain/errors.js';

const ok = (result: unknown[]) => ({ status: 'success', data: { resultType: 'matrix', result } });

test('parses one series, dropping NaN, Inf and values beyond MAX_ABS_VALUE as gaps, counted', () => {
  const p = parseRangeResponse(
    ok([
      {
        metric: { job: 'a' },
        values: [
          [1, '1.5'],
          [2, 'NaN'],
          [3, '+Inf'],
          [4, '2'],
          [5, '1.7e308'],
          [6, '-1e101'],
          [7, '1e100'],
        ],
      },
    ]),
    'q',
  );
  assert.deepEqual(p.samples, { timestamps: [1, 4, 7], values: [1.5, 2, 1e100], dropped: 4 });
});

test('an answer with nothing to drop has no dropped count', () => {
  const p = parseRangeResponse(ok([{ metric: {}, values: [[1, '3']] }]), 'q');
  assert.deepEqual(p.samples, { timestamps: [1], values: [3] });
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
  // recorded from a proxy in front of Prometheus that answers a list of results
  ['a JSON array', JSON.parse('[{"status":"success"}]'), 'E_SOURCE_DATA', /JSON array/],
  [
    'a non-numeric timestamp',
    JSON.parse(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"],["soon","2"]]}]}}',
    ),
    'E_SOURCE_DATA',
    /point 1 is \["soon","2"\], not \[unix_seconds, "value"\]/,
  ],
  [
    'a point that is not a pair',
    JSON.parse('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[1700000000]}]}}'),
    'E_SOURCE_DATA',
    /point 0 is 1700000000/,
  ],
  [
    'values that are not a list',
    JSON.parse('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":"1,2"}]}}'),
    'E_SOURCE_DATA',
    /values is not a list/,
  ],
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

test('stitch adds up the dropped counts of the chunks', () => {
  const s = stitch([
    { timestamps: [1], values: [1], dropped: 2 },
    { timestamps: [2], values: [2] },
    { timestamps: [3], values: [3], dropped: 1 },
  ]);
  assert.deepEqual(s, { timestamps: [1, 2, 3], values: [1, 2, 3], dropped: 3 });
});

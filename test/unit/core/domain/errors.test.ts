import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError, PrescaleError } from '../../../../src/core/domain/errors.js';

test('describeError chains the causes', () => {
  const root = new Error('connect ECONNREFUSED 127.0.0.1:9090');
  const err = new PrescaleError('E_SOURCE_UNREACHABLE', 'Prometheus at http://p is unreachable', { cause: root });
  assert.equal(describeError(err), 'Prometheus at http://p is unreachable: connect ECONNREFUSED 127.0.0.1:9090');
  assert.equal(describeError('plain'), 'plain');
});

test('describeError does not repeat a cause the message already quotes', () => {
  const inner = new PrescaleError('E_INPUT', 'series of 10 samples is too short: needs more than 300', {
    cause: new Error('index 300'),
  });
  const outer = new PrescaleError('E_INPUT', `h.csv: ${inner.message}`, { cause: inner });
  assert.equal(describeError(outer), 'h.csv: series of 10 samples is too short: needs more than 300: index 300');
});

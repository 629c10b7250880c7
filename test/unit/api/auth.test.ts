import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureLimiter, tokenMatches } from '../../../src/api/auth.js';

test('tokenMatches: only "Bearer <the token>"; any length of guess compares without throwing', () => {
  assert.equal(tokenMatches('Bearer s3cret', 's3cret'), true);
  assert.equal(tokenMatches('bearer s3cret', 's3cret'), true);
  assert.equal(tokenMatches('Bearer s3cre', 's3cret'), false);
  assert.equal(tokenMatches('Bearer ' + 'x'.repeat(10_000), 's3cret'), false);
  assert.equal(tokenMatches('Basic s3cret', 's3cret'), false);
  assert.equal(tokenMatches('s3cret', 's3cret'), false);
  assert.equal(tokenMatches(undefined, 's3cret'), false);
  assert.equal(tokenMatches('Bearer s3cret', undefined), false);
  assert.equal(tokenMatches('Bearer ', ''), false);
});

test('FailureLimiter: limited after maxFailures in a window, until the window ends', () => {
  const l = new FailureLimiter({ maxFailures: 3, windowSec: 60, maxClients: 100 });
  for (let i = 0; i < 3; i++) {
    assert.equal(l.retryAfter('a', 100), 0);
    l.fail('a', 100 + i);
  }
  assert.equal(l.retryAfter('a', 110), 50);
  assert.equal(l.retryAfter('b', 110), 0);
  assert.equal(l.retryAfter('a', 159.5), 1);
  assert.equal(l.retryAfter('a', 160), 0);
  l.fail('a', 160);
  assert.equal(l.retryAfter('a', 161), 0, 'a new window starts from one failure');
});

test('FailureLimiter: memory stays bounded by maxClients, ended windows forgotten first', () => {
  const l = new FailureLimiter({ maxFailures: 2, windowSec: 60, maxClients: 50 });
  for (let i = 0; i < 10_000; i++) l.fail(`10.0.${i >> 8}.${i & 255}`, 1000 + i / 1000);
  assert.equal(l.size, 50);
  l.fail('x', 1000);
  l.fail('x', 1000);
  assert.ok(l.retryAfter('x', 1001) > 0);
  // the window of every earlier client has ended: they go before the newest is evicted
  l.fail('y', 2000);
  assert.ok(l.size <= 50);
  assert.equal(l.retryAfter('y', 2000), 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SoakRecord } from '../../../../bench/soak/record.js';

test('SoakRecord: counts checks and violations; the last summary line is the one CI reads', () => {
  const rec = new SoakRecord(() => {});
  rec.fault('kill-restart', { downMs: 10 });
  rec.check('bounds', true);
  rec.check('bounds', true);
  rec.check('healthz', false, () => 'main#1 /healthz: no answer within 1000 ms');
  assert.equal(rec.passed(), 2);
  assert.equal(rec.violationCount(), 1);
  const lines = rec.summary();
  assert.equal(lines.at(-1), 'soak: 2 passed, 1 failed');
  assert.ok(lines.some((l) => /kill-restart\s+1/.test(l)));
  assert.ok(lines.some((l) => l.includes('healthz: main#1 /healthz: no answer within 1000 ms')));
  const json = rec.toJSON({ seed: 1 });
  assert.equal(json.failed, 1);
  assert.equal(json.checks.bounds, 2);
  assert.equal(json.violationsByInvariant.healthz, 1);
});

test('SoakRecord: past 50 violations of one kind they are counted, not kept', () => {
  const rec = new SoakRecord(() => {});
  for (let i = 0; i < 60; i++) rec.check('nonzero', false);
  assert.equal(rec.violations.length, 50);
  assert.equal(rec.violationCount(), 60);
  assert.match(rec.summary().at(-1) ?? '', /^soak: 0 passed, 60 failed$/);
});

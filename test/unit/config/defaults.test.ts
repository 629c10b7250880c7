import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CYCLE, DEFAULT_POLICY, policyWith } from '../../../src/config/defaults.js';
import { POLICY_ENTRIES } from '../../../src/config/fields.js';

test('defaults: the field table gives the same defaults as before it existed (benches replay with them)', () => {
  assert.deepEqual(
    { ...DEFAULT_POLICY },
    {
      targetUtilization: 0.8,
      startupDelaySec: 300,
      minReplicas: 1,
      maxReplicas: 100,
      quantile: 'p90',
      headroom: 0,
      marginScale: 1,
      autoTune: true,
      missPrice: 0.5,
      targetUnserved: 100,
      maxStepUp: Number.POSITIVE_INFINITY,
      maxStepDown: Number.POSITIVE_INFINITY,
      scaleDownStabilizationSec: 1800,
      cooldownSec: 0,
      tolerance: 0.1,
      maxForecastError: 0.5,
    },
  );
  assert.ok(Object.isFrozen(DEFAULT_POLICY));
  assert.equal(DEFAULT_CYCLE.historySec, 14 * 86_400);
});

test('defaults: every policy field but the capacity has a default, and each default is one its parser takes', () => {
  for (const [prop, f] of POLICY_ENTRIES) {
    if (prop === 'capacityPerReplica') {
      assert.equal(f.default, undefined);
      continue;
    }
    assert.notEqual(f.default, undefined, prop);
    // no limit (Infinity) is a default only: no label or key can ask for it
    if (f.default !== Number.POSITIVE_INFINITY) assert.ok(f.parser.parse(f.default).ok, prop);
  }
});

test('policyWith: the capacity, the overrides, the defaults for the rest', () => {
  const p = policyWith(150, { minReplicas: 3 });
  assert.equal(p.capacityPerReplica, 150);
  assert.equal(p.minReplicas, 3);
  assert.equal(p.maxReplicas, 100);
  assert.ok(Object.isFrozen(p));
});

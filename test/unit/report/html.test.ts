import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportHtml, type ReportData } from '../../../src/report/index.js';

const score = { unservedPct: 0.12345, underStepsPct: 1.5, replicaSteps: 10, actions: 7, costVsOracle: 1.23456 };
const data: ReportData = {
  input: 'web<script>alert(1)</script>.csv',
  policyFile: null,
  model: 'auto',
  step: 300,
  steps: 4032,
  scored: { from: 0, to: 600 },
  capacity: 20,
  startupDelaySec: 300,
  delaySteps: 1,
  scoredFrom: 2016,
  prescale: score,
  reactive: { ...score, unservedPct: 1 },
  oracle: { ...score, unservedPct: 0, costVsOracle: 1 },
  frontier: [{ target: 0.8, ...score, unservedPct: 1 }],
  position: { reactiveUnservedAtSameCost: null, reactiveCostForSameUnserved: null },
  refits: 3,
  reasons: { Predictive: 5 },
  tunings: 0,
  seconds: 1,
};

test('the page escapes what it shows and what it embeds, so a file name cannot inject markup', () => {
  const html = reportHtml(data, { replay: '<svg></svg>', frontier: '<svg></svg>' });
  assert.doesNotMatch(html, /<script>alert/);
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1];
  assert.deepEqual(JSON.parse(json), data);
});

test('the summary rows carry simulate’s decimals', () => {
  const html = reportHtml(data, { replay: '', frontier: '' });
  assert.match(
    html,
    /<tr data-policy="prescale"><th>prescale<\/th><td>0\.123 %<\/td><td>1\.50 %<\/td><td>1\.235<\/td><td>7<\/td><\/tr>/,
  );
  assert.match(html, /at no target swept does it miss as little as prescale/);
});

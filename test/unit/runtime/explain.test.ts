import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyWith } from '../../../src/config/defaults.js';
import type { Decision } from '../../../src/core/domain/decision.js';
import type { ServiceReport } from '../../../src/runtime/cycle.js';
import { explainPrediction } from '../../../src/runtime/explain.js';

const decision = (over: Partial<Decision> = {}): Decision => ({
  at: 0,
  currentReplicas: 2,
  desiredReplicas: 5,
  reason: 'Predictive',
  reasons: ['Predictive'],
  message: '2 → 5 (Predictive)',
  reactive: 2,
  schedule: [],
  ...over,
});

const planned = (over: Partial<ServiceReport> = {}): ServiceReport => ({
  key: 'swarm/web',
  kind: 'swarm',
  name: 'web',
  status: 'planned',
  currentReplicas: 2,
  desiredReplicas: 5,
  applied: false,
  message: '2 → 5 (Predictive)',
  problems: [],
  spec: { key: 'swarm/web', query: 'q', model: 'auto', policy: policyWith(100) },
  history: { from: 0, to: 14 * 86_400, points: 20_000, gaps: 12, step: 60 },
  forecast: { start: 0, step: 300, p50: [1], p90: [2], model: 'auto:holt_winters', notes: [] },
  forecastError: 0.08,
  decision: decision(),
  ...over,
});

// one named row per case: what the record says → what the status must say
const rows: Array<[string, ServiceReport, Partial<ReturnType<typeof explainPrediction>>, RegExp]> = [
  [
    'predicted',
    planned(),
    { predicted: true, model: 'auto:holt_winters', fallback: undefined, historyDays: 14, missingSamples: 12 },
    /^Predicted by auto:holt_winters from 14 days of history \(12 of 20161 samples missing\); recent forecast error 0\.08 \(limit 0\.5\)\.$/,
  ],
  [
    'short history: naive',
    planned({
      forecast: {
        start: 0,
        step: 300,
        p50: [1],
        p90: [2],
        model: 'auto:naive',
        notes: [
          {
            code: 'HistoryTooShort',
            message: 'history of 0.4 days is too short for any seasonal model: used naive (last value)',
          },
        ],
      },
      history: { from: 0, to: 0.4 * 86_400, points: 576, gaps: 0, step: 60 },
    }),
    {
      predicted: false,
      fallback: 'naive',
      fallbackReason: 'history of 0.4 days is too short for any seasonal model: used naive (last value)',
    },
    /Not predicted: history of 0\.4 days is too short .* \(0\.4 days of history \(no gaps\)\)/,
  ],
  [
    'forecast untrusted',
    planned({ forecastError: 0.9, decision: decision({ reasons: ['ForecastUntrusted', 'Predictive'] }) }),
    { predicted: true, fallback: 'headroom', forecastError: 0.9, maxForecastError: 0.5 },
    /recent forecast error 0\.9 \(limit 0\.5\)\. The forecast is not trusted/,
  ],
  [
    'no forecast: reactive',
    planned({
      forecast: undefined,
      problems: [{ code: 'ForecastFailed', message: 'no forecast: history holds no valid sample' }],
    }),
    { predicted: false, fallback: 'reactive', fallbackReason: 'no forecast: history holds no valid sample' },
    /replicas follow the load observed now/,
  ],
  [
    'held',
    planned({
      status: 'held',
      forecast: undefined,
      history: undefined,
      problems: [{ code: 'SourceFailed', message: 'Prometheus at http://p is unreachable' }],
    }),
    { predicted: false, fallback: 'hold' },
    /^Not predicted, 2 replicas kept: Prometheus at http:\/\/p is unreachable\.$/,
  ],
  [
    'bad labels',
    planned({
      status: 'skipped',
      spec: undefined,
      problems: [{ code: 'LabelInvalid', message: 'prescale.capacity=abc: not a positive number' }],
    }),
    { predicted: false, fallback: 'none' },
    /^Not planned, replicas left alone: prescale\.capacity=abc: not a positive number\.$/,
  ],
];

for (const [name, report, fields, summary] of rows) {
  test(`explain: ${name}`, () => {
    const got = explainPrediction(report);
    for (const [k, v] of Object.entries(fields)) assert.deepEqual(got[k as keyof typeof got], v, k);
    assert.match(got.summary, summary);
  });
}

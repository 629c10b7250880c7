import { describeError } from '../core/domain/errors.js';
import type { Problem, ServiceReport } from '../runtime/report.js';
import { explainPrediction } from '../runtime/explain.js';
import { nextOpening } from '../core/schedule/windows.js';
import type { ForecastView, RecommendationView, ServiceView } from './schemas.js';

/**
 * Decision records → API answers. A view never holds a non-finite number (JSON has none, and the
 * response schema would refuse the whole list for one): such a field is left out, or null where
 * the field is required, and the record says so in its problems. One bad record never hides the
 * others.
 */

/** The fields a view leaves out because their number is not finite, said once each. */
class Omissions {
  private readonly said = new Set<string>();

  /** `v`, or undefined (and a note) when it is not a finite number. */
  optional(field: string, v: number | undefined): number | undefined {
    if (v === undefined || Number.isFinite(v)) return v;
    this.note(`${field} is ${String(v)}, not a finite number: left out`);
    return undefined;
  }

  /** `v`, or null (and a note) when it is not a finite number. */
  required(field: string, v: number): number | null {
    if (Number.isFinite(v)) return v;
    this.note(`${field} is ${String(v)}, not a finite number: null`);
    return null;
  }

  /** `obj` when every number in it is finite, else undefined (and a note naming the first bad field). */
  whole<T extends object>(field: string, obj: T | undefined): T | undefined {
    if (!obj) return obj;
    const bad = Object.entries(obj).find(([, v]) => typeof v === 'number' && !Number.isFinite(v));
    if (!bad) return obj;
    this.note(`${field}.${bad[0]} is ${String(bad[1])}, not a finite number: ${field} left out`);
    return undefined;
  }

  note(text: string): void {
    this.said.add(text);
  }

  get notes(): Problem[] {
    return [...this.said].map((message) => ({ code: 'NotFinite' as const, message }));
  }
}

/** One service's record as `GET /v1/services` shows it. */
export function serviceView(s: ServiceReport): ServiceView {
  try {
    return describeService(s);
  } catch (err) {
    // a record the API cannot describe is still listed, with why, rather than failing the list
    return {
      ...identity(s),
      currentReplicas: finiteOrNull(s.currentReplicas),
      desiredReplicas: finiteOrNull(s.desiredReplicas),
      message: String(s.message),
      prediction: { predicted: false, summary: 'The API could not describe this record.', notes: [] },
      problems: [{ code: 'Unreportable', message: `the API could not describe this record: ${describeError(err)}` }],
    };
  }
}

function describeService(s: ServiceReport): ServiceView {
  const o = new Omissions();
  const prediction = explainPrediction(s);
  const forecastError = o.optional('forecastError', s.forecastError);
  const tuning = s.tuning && {
    at: s.tuning.at,
    days: s.tuning.days,
    ...s.tuning.overrides,
    unservedPct: s.tuning.score.unservedPct,
    costVsOracle: s.tuning.score.costVsOracle,
    configuredUnservedPct: s.tuning.configured.unservedPct,
    configuredCostVsOracle: s.tuning.configured.costVsOracle,
    targetUnservedPct: s.tuning.budgetPct,
    budget: s.tuning.code,
  };
  const view: ServiceView = {
    ...identity(s),
    currentReplicas: o.required('currentReplicas', s.currentReplicas),
    desiredReplicas: o.required('desiredReplicas', s.desiredReplicas),
    reason: s.decision?.reason,
    message: s.message,
    model: s.forecast?.model,
    forecastError,
    history: o.whole('history', s.history && { ...s.history }),
    prediction: {
      ...prediction,
      forecastError,
      maxForecastError: o.optional('prediction.maxForecastError', prediction.maxForecastError),
      historyDays: o.optional('prediction.historyDays', prediction.historyDays),
      missingSamples: o.optional('prediction.missingSamples', prediction.missingSamples),
      notes: [...prediction.notes],
    },
    tuning: o.whole('tuning', tuning),
    ...(s.decision?.metric !== undefined && { metric: s.decision.metric }),
    ...(s.metrics && { metrics: metricViews(s, o) }),
    problems: [],
    errorCode: s.errorCode,
  };
  return { ...view, problems: [...s.problems.map((p) => ({ code: p.code, message: p.message })), ...o.notes] };
}

/** One service's recommendation, as `GET /v1/recommendations` and `POST …/apply` answer it. */
export function recommendationView(s: ServiceReport): RecommendationView {
  const o = new Omissions();
  const view: RecommendationView = {
    service: s.key,
    currentReplicas: o.required('currentReplicas', s.currentReplicas),
    desiredReplicas: o.required('desiredReplicas', s.desiredReplicas),
    reason: s.decision?.reason ?? s.status,
    message: s.message,
    forecastError: o.optional('forecastError', s.forecastError),
    applied: s.applied,
  };
  return o.notes.length ? { ...view, problems: o.notes } : view;
}

/**
 * The latest forecast of a service, or undefined when it has none that can be shown (no forecast,
 * or a start or step that is not a finite number). A point the model gave no finite number for
 * is null, and the notes say how many.
 */
export function forecastView(s: ServiceReport): ForecastView | undefined {
  const top = pointsOf(s.forecast);
  if (!top) return undefined;
  const metrics = s.metrics?.flatMap((m) => {
    const p = pointsOf(m.forecast);
    return p ? [{ name: m.name, ...p }] : [];
  });
  return {
    service: s.key,
    ...top,
    ...(s.decision?.metric !== undefined && { metric: s.decision.metric }),
    ...(metrics && { metrics }),
  };
}

function pointsOf(f: ServiceReport['forecast']) {
  if (!f || !Number.isFinite(f.start) || !(f.step > 0 && Number.isFinite(f.step))) return undefined;
  let bad = 0;
  const finite = (v: number | undefined): number | null => {
    if (v !== undefined && Number.isFinite(v)) return v;
    bad++;
    return null;
  };
  const points = f.p50.map((p50, i) => ({ timestamp: f.start + i * f.step, p50: finite(p50), p90: finite(f.p90[i]) }));
  const notes = f.notes.map((n) => n.message);
  if (bad) notes.push(`${bad} forecast values are not finite numbers: null`);
  return { model: f.model, step: f.step, notes, points };
}

function pointAt(f: { start: number; step: number; p50: readonly number[] }, t: number): number {
  return Math.min(f.p50.length - 1, Math.max(0, Math.floor((t - f.start) / f.step)));
}

/** Several load metrics: each one's value, forecast when a replica asked for now is ready, and ask. */
function metricViews(s: ServiceReport, o: Omissions) {
  const asked = new Map((s.decision?.metrics ?? []).map((m) => [m.name, m]));
  const delay = s.spec?.policy.startupDelaySec ?? 0;
  return (s.metrics ?? []).map((m) => {
    const f = m.forecast;
    // the point for the time a replica asked for now is ready, as /metrics shows it
    const i = f && f.p50.length ? pointAt(f, (s.decision?.at ?? f.start) + delay) : undefined;
    const a = asked.get(m.name);
    const at = `metrics.${m.name}`;
    return {
      name: m.name,
      capacity: m.capacity,
      observedLoad: o.optional(`${at}.observedLoad`, Number.isFinite(m.observedLoad) ? m.observedLoad : undefined),
      model: f?.model,
      nextP50: f && i !== undefined ? o.optional(`${at}.nextP50`, f.p50[i]) : undefined,
      nextP90: f && i !== undefined ? o.optional(`${at}.nextP90`, f.p90[i]) : undefined,
      proposed: a?.proposed,
      predictive: a?.predictive,
      reactive: a?.reactive,
      forecastError: o.optional(`${at}.forecastError`, a?.forecastError),
    };
  });
}

function identity(s: ServiceReport) {
  return {
    key: s.key,
    kind: s.kind,
    name: s.name,
    ...(s.project !== undefined && { project: s.project }),
    status: s.status,
  };
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** The scheduled windows of a record at `now` (unix seconds), with the next opening of each. */
export function schedulesView(s: ServiceReport, now: number): Pick<ServiceView, 'schedules'> {
  const windows = s.spec?.schedules;
  if (!windows?.length) return {};
  const active = new Set(s.windows?.active ?? []);
  return {
    schedules: windows.map((w) => {
      const next = nextOpening(w, now);
      return {
        name: w.name,
        cron: w.cron.source,
        durationSec: w.durationSec,
        timezone: w.timeZone,
        ...(w.min !== undefined && { min: w.min }),
        ...(w.max !== undefined && { max: w.max }),
        active: active.has(w.name),
        ...(next !== undefined && { nextOpening: new Date(next * 1000).toISOString() }),
      };
    }),
  };
}

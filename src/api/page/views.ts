import type { ServiceReport } from '../../runtime/report.js';
import type { ReplicaPoint, TrailEntry } from '../../runtime/trail.js';
import type { LoadChartInput } from '../../observability/load-chart.js';
import { forecastView } from '../views.js';
import type { DecisionsView, ObservedView } from './schemas.js';

/** Records and the trail → the answers the web page draws from. Numbers not finite are null. */

const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

/** The recent load and replicas of one service. */
export function observedView(s: ServiceReport, replicas: readonly ReplicaPoint[]): ObservedView {
  const cap = finite(s.spec?.policy.capacityPerReplica);
  const recent = s.recentLoad;
  return {
    service: s.key,
    step: recent?.step ?? s.history?.step ?? 0,
    capacityPerReplica: cap,
    now: s.decision?.at ?? replicas.at(-1)?.at ?? recent?.start ?? 0,
    load: (recent?.values ?? []).map((v, i) => ({ timestamp: recent!.start + i * recent!.step, load: finite(v) })),
    replicas: replicas.map((p) => ({
      timestamp: p.at,
      currentReplicas: p.currentReplicas,
      desiredReplicas: p.desiredReplicas,
      readyCapacity: cap === null ? null : p.currentReplicas * cap,
    })),
  };
}

/** The latest outcomes of one service, newest first. */
export function decisionsView(key: string, entries: readonly TrailEntry[]): DecisionsView {
  return {
    service: key,
    decisions: entries.map((e) => ({
      at: e.at,
      status: e.status,
      currentReplicas: finite(e.currentReplicas),
      desiredReplicas: finite(e.desiredReplicas),
      ...(e.reason && { reason: e.reason }),
      reasons: [...e.reasons],
      applied: e.applied,
      message: e.message,
    })),
  };
}

/** What the chart of one service draws: the last `hours` (at most 48) and the forecast horizon. */
export function chartInputOf(s: ServiceReport, observed: ObservedView, hours = 48): LoadChartInput {
  const cap = observed.capacityPerReplica;
  const forecast = forecastView(s)?.points ?? [];
  const schedule = s.decision?.schedule ?? [];
  return {
    now: observed.now,
    from: observed.now - hours * 3600,
    load: observed.load.map((p) => ({ t: p.timestamp, v: p.load })),
    capacity: observed.replicas.map((p) => ({ t: p.timestamp, v: p.readyCapacity })),
    forecast: forecast.map((p) => ({ t: p.timestamp, p50: p.p50, p90: p.p90 })),
    planned: cap === null ? [] : schedule.map((e) => ({ t: e.forTime, v: e.replicas * cap })),
  };
}

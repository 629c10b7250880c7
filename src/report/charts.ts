/**
 * Vega-Lite specs of prescale's charts: pure functions from numbers to a spec, rendered by
 * src/report/svg.ts on the server (the report, the benches) or by any Vega-Lite 6 runtime.
 */
import type { TopLevelSpec } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface ReplaySeries {
  readonly title: string;
  /** Unix seconds per step. */
  readonly times: readonly number[];
  readonly demand: readonly number[];
  /** Ready capacity (ready replicas × C) per step. */
  readonly capacity: readonly number[];
  /** Requested replicas per step. */
  readonly replicas: readonly number[];
  /** Reactive HPA ready capacity, for comparison. */
  readonly reactiveCapacity: readonly number[];
}

const LINES = ['demand', 'prescale ready capacity', 'reactive ready capacity'];
const MISSES = ['prescale miss', 'reactive miss'];

/** Rows of the load chart: one per step and line, and one per step where a policy missed. */
function replayRows(s: ReplaySeries): { rows: Record<string, unknown>[]; misses: Record<string, unknown>[] } {
  const rows: Record<string, unknown>[] = [];
  const misses: Record<string, unknown>[] = [];
  for (let i = 0; i < s.times.length; i++) {
    const t = s.times[i] * 1000;
    rows.push({ t, series: LINES[0], v: s.demand[i] });
    rows.push({ t, series: LINES[1], v: s.capacity[i] });
    rows.push({ t, series: LINES[2], v: s.reactiveCapacity[i] });
    if (s.demand[i] > s.capacity[i] + 1e-9) misses.push({ t, series: MISSES[0], v: s.demand[i] });
    if (s.demand[i] > s.reactiveCapacity[i] + 1e-9) misses.push({ t, series: MISSES[1], v: s.demand[i] });
  }
  return { rows, misses };
}

/**
 * Demand against ready capacity (prescale and the reactive autoscaler) on top, requested replicas
 * below; steps where demand exceeds a policy's ready capacity are marked (prescale's in red).
 */
export function replayChart(s: ReplaySeries, width = 1100): TopLevelSpec {
  const { rows, misses } = replayRows(s);
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: [...LINES, ...MISSES], range: ['#222222', '#1f77b4', '#ff7f0e', '#d62728', '#ff7f0e'] },
    legend: { orient: 'top', title: null, labelLimit: 0 },
  } as const;
  return {
    $schema: SCHEMA,
    title: s.title,
    vconcat: [
      {
        width,
        height: 260,
        layer: [
          {
            data: { values: rows },
            mark: { type: 'line', strokeWidth: 1, interpolate: 'step-after' },
            encoding: {
              x: { field: 't', type: 'temporal', title: null },
              y: { field: 'v', type: 'quantitative', title: 'load' },
              color,
              strokeOpacity: { condition: { test: `datum.series === '${LINES[2]}'`, value: 0.55 }, value: 1 },
            },
          },
          {
            data: { values: misses },
            mark: { type: 'point', filled: true },
            encoding: {
              x: { field: 't', type: 'temporal' },
              y: { field: 'v', type: 'quantitative' },
              color,
              shape: {
                field: 'series',
                scale: { domain: MISSES, range: ['triangle-up', 'triangle-down'] },
                legend: null,
              },
              size: { condition: { test: `datum.series === '${MISSES[0]}'`, value: 22 }, value: 10 },
            },
          },
        ],
      },
      {
        width,
        height: 110,
        data: { values: s.times.map((t, i) => ({ t: t * 1000, r: s.replicas[i] })) },
        mark: { type: 'line', strokeWidth: 1, interpolate: 'step-after', color: '#1f77b4' },
        encoding: {
          x: { field: 't', type: 'temporal', title: null },
          y: { field: 'r', type: 'quantitative', title: 'replicas requested' },
        },
      },
    ],
  };
}

/** Unserved demand against replica cost, one line per family of policies, the references as points. */
export function tradeoffChart(
  points: readonly { family: string; label: string; unservedPct: number; costVsOracle: number }[],
  title = 'Unserved demand vs replica cost (mean over the traces)',
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: 640,
    height: 380,
    data: { values: points as unknown as Record<string, unknown>[] },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'costVsOracle', type: 'quantitative', title: 'replica cost / oracle', scale: { zero: false } },
          y: { field: 'unservedPct', type: 'quantitative', title: 'unserved demand (%)' },
          color: { field: 'family', type: 'nominal', title: null },
          order: { field: 'costVsOracle', type: 'quantitative' },
        },
      },
      {
        mark: { type: 'text', dx: 6, align: 'left', fontSize: 9 },
        encoding: {
          x: { field: 'costVsOracle', type: 'quantitative' },
          y: { field: 'unservedPct', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}

/**
 * The cost/miss frontier of one trace: the reactive HPA at each target utilisation as a line,
 * prescale's policy as one point on the same axes.
 */
export function frontierChart(
  reactive: readonly { target: number; unservedPct: number; costVsOracle: number }[],
  prescale: { unservedPct: number; costVsOracle: number },
): TopLevelSpec {
  return tradeoffChart(
    [
      ...reactive.map((p) => ({
        family: 'reactive HPA',
        label: `target ${p.target}`,
        unservedPct: p.unservedPct,
        costVsOracle: p.costVsOracle,
      })),
      { family: 'prescale', label: 'prescale', ...prescale },
    ],
    'Unserved demand vs replica cost: the reactive HPA at targets 0.4–0.95, and prescale',
  );
}

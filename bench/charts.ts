/**
 * SVG charts for the benches, rendered headless with Vega-Lite → Vega (no browser, no canvas).
 */
import { writeFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG file. */
export async function renderSvg(spec: TopLevelSpec, path: string): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  writeFileSync(path, await view.toSVG());
  view.finalize();
}

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

/**
 * Demand against ready capacity (prescale and the reactive autoscaler) on top, requested replicas
 * below; steps where demand exceeds prescale's ready capacity are marked in red.
 */
export function replayChart(s: ReplaySeries): TopLevelSpec {
  const rows: Record<string, unknown>[] = [];
  const misses: Record<string, unknown>[] = [];
  for (let i = 0; i < s.times.length; i++) {
    const t = s.times[i] * 1000;
    rows.push({ t, series: 'demand', v: s.demand[i] });
    rows.push({ t, series: 'prescale ready capacity', v: s.capacity[i] });
    rows.push({ t, series: 'reactive ready capacity', v: s.reactiveCapacity[i] });
    if (s.demand[i] > s.capacity[i] + 1e-9) misses.push({ t, v: s.demand[i] });
  }
  const width = 1100;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
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
              color: {
                field: 'series',
                type: 'nominal',
                scale: {
                  domain: ['demand', 'prescale ready capacity', 'reactive ready capacity'],
                  range: ['#222222', '#1f77b4', '#ff7f0e'],
                },
                legend: { orient: 'top', title: null },
              },
              strokeOpacity: {
                condition: { test: "datum.series === 'reactive ready capacity'", value: 0.55 },
                value: 1,
              },
            },
          },
          {
            data: { values: misses },
            mark: { type: 'point', shape: 'triangle-up', size: 18, color: '#d62728', filled: true },
            encoding: { x: { field: 't', type: 'temporal' }, y: { field: 'v', type: 'quantitative' } },
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
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Unserved demand vs replica cost (mean over the traces)',
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

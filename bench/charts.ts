/**
 * SVG chart files for the benches: the specs of src/report/charts.ts rendered headless.
 */
import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg as svgOf } from '../src/report/svg.js';

export { replayChart, tradeoffChart, type ReplaySeries } from '../src/report/charts.js';

/** Renders a Vega-Lite spec to an SVG file. */
export async function renderSvg(spec: TopLevelSpec, path: string): Promise<void> {
  writeFileSync(path, await svgOf(spec));
}

import { frontierChart, replayChart } from './charts.js';
import { reportData, scoredWeek, type ReplayOutcome } from './data.js';
import { reportHtml } from './html.js';
import { renderSvg } from './svg.js';

export { reportData, scoredWeek, type ReplayOutcome, type ReportData } from './data.js';
export { reportHtml, formatScore } from './html.js';
export { replayChart, tradeoffChart, frontierChart, type ReplaySeries } from './charts.js';
export { renderSvg } from './svg.js';

/** The HTML report of a replay: its numbers, the two charts rendered to SVG, one page. */
export async function buildReport(r: ReplayOutcome): Promise<string> {
  const data = reportData(r);
  const title =
    `${r.input}: unserved ${data.prescale.unservedPct.toFixed(2)} % (reactive ${data.reactive.unservedPct.toFixed(2)} %), ` +
    `cost ${data.prescale.costVsOracle.toFixed(2)} × oracle (reactive ${data.reactive.costVsOracle.toFixed(2)})`;
  const [replay, frontier] = await Promise.all([
    renderSvg(replayChart(scoredWeek(r, title))),
    renderSvg(frontierChart(data.frontier, data.prescale)),
  ]);
  return reportHtml(data, { replay, frontier });
}

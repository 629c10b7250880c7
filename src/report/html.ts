import type { PolicyScore } from '../core/simulate/index.js';
import type { ReportData } from './data.js';

/** Text for HTML content and attribute values. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Decimals as `simulate` prints them: unserved 3, steps under capacity 2, cost 3. */
export const formatScore = {
  unserved: (s: PolicyScore) => `${s.unservedPct.toFixed(3)} %`,
  under: (s: PolicyScore) => `${s.underStepsPct.toFixed(2)} %`,
  cost: (s: PolicyScore) => s.costVsOracle.toFixed(3),
  actions: (s: PolicyScore) => String(s.actions),
};

const iso = (unix: number) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');

function scoreRow(name: string, key: string, s: PolicyScore): string {
  const cells = [formatScore.unserved(s), formatScore.under(s), formatScore.cost(s), formatScore.actions(s)];
  return `<tr data-policy="${key}"><th>${esc(name)}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

function summaryTable(d: ReportData): string {
  return `<table id="summary">
<thead><tr><th>policy</th><th>unserved demand</th><th>steps under capacity</th><th>replica cost vs oracle</th><th>scale actions</th></tr></thead>
<tbody>
${scoreRow('prescale', 'prescale', d.prescale)}
${scoreRow('reactive HPA (target 0.8)', 'reactive', d.reactive)}
${scoreRow('oracle (perfect foresight)', 'oracle', d.oracle)}
</tbody></table>`;
}

function frontierTable(d: ReportData): string {
  const rows = d.frontier.map((p) => scoreRow(`reactive HPA, target ${p.target}`, `reactive@${p.target}`, p));
  return `<table id="frontier">
<thead><tr><th>policy</th><th>unserved demand</th><th>steps under capacity</th><th>replica cost vs oracle</th><th>scale actions</th></tr></thead>
<tbody>
${rows.join('\n')}
${scoreRow('prescale', 'prescale', d.prescale)}
</tbody></table>`;
}

/** The sentence that places prescale on the reactive frontier, as frontier.py prints it. */
function positionText(d: ReportData): string {
  const { reactiveUnservedAtSameCost: u, reactiveCostForSameUnserved: c } = d.position;
  const atCost =
    u === null
      ? `prescale's cost (${d.prescale.costVsOracle.toFixed(3)} × oracle) is outside the reactive frontier's range`
      : `at prescale's cost (${d.prescale.costVsOracle.toFixed(3)} × oracle) the reactive HPA leaves <b id="reactive-at-cost">${u.toFixed(3)} %</b> of the demand unserved`;
  const least = Math.min(...d.frontier.map((p) => p.unservedPct));
  const atMiss =
    c === null
      ? d.prescale.unservedPct < least
        ? `at no target swept does it miss as little as prescale (${d.prescale.unservedPct.toFixed(3)} %; its least is ${least.toFixed(3)} %)`
        : `prescale's misses (${d.prescale.unservedPct.toFixed(3)} %) are outside its range`
      : `to miss as little as prescale (${d.prescale.unservedPct.toFixed(3)} %) it needs <b id="reactive-for-miss">${c.toFixed(3)} × oracle</b>`;
  return `<p>On this trace, ${atCost}; ${atMiss}.</p>`;
}

function reasonsList(d: ReportData): string {
  const items = Object.entries(d.reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `<li><code>${esc(k)}</code> ${v}</li>`);
  return `<ul class="reasons">${items.join('')}</ul>`;
}

function metaList(d: ReportData): string {
  const items: [string, string][] = [
    ['trace', `${d.input} (${d.steps} steps of ${d.step} s)`],
    [
      'scored',
      `${iso(d.scored.from)} to ${iso(d.scored.to)} (the last ${((d.steps - d.scoredFrom) * d.step) / 86400} days, after a 3-day warm-up)`,
    ],
    ['capacity per replica', String(d.capacity)],
    ['startup delay', `${d.startupDelaySec} s (${d.delaySteps} step${d.delaySteps === 1 ? '' : 's'} of the trace)`],
    ['policy', d.policyFile ?? 'the defaults'],
    ['model', d.model],
    ['replay', `${d.refits} forecaster refits, ${d.tunings} daily tunings, ${d.seconds.toFixed(1)} s`],
  ];
  return `<dl>${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
th:first-child{text-align:left}thead th{border-bottom:2px solid #999}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px}dt{color:#666}dd{margin:0}
.chart svg{max-width:100%;height:auto}.reasons{columns:3}.note{color:#555;font-size:13px}`;

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script that runs, nothing
 * fetched; its numbers also as JSON in `<script type="application/json" id="report-data">`.
 */
export function reportHtml(d: ReportData, charts: { replay: string; frontier: string }): string {
  // "<" escaped so that no string in the data can close the script element
  const json = JSON.stringify(d).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>prescale replay: ${esc(d.input)}</title>
<style>${STYLE}</style></head><body>
<h1>What prescale would have done on ${esc(d.input)}</h1>
${metaList(d)}
<h2>Scores over the scored week</h2>
${summaryTable(d)}
${positionText(d)}
<p class="note">Scored as the reference scaling bench (scalebench.py) scores: a scale-up requested at a step is ready one startup delay later, a scale-down acts at once, pending replicas cost; unserved demand = max(0, demand − ready replicas × capacity), as a share of the demand; scale actions = steps where the requested replicas change. The reactive HPA is the Kubernetes algorithm (10 % tolerance, five-step scale-down stabilisation) deciding on the previous step's load; the oracle knows the demand and requests each scale-up one startup delay ahead.</p>
<h2>Demand and ready capacity</h2>
<div class="chart" id="replay-chart">${charts.replay}</div>
<h2>Cost/miss frontier</h2>
<div class="chart" id="frontier-chart">${charts.frontier}</div>
${frontierTable(d)}
<h2>Why prescale decided what it did</h2>
${reasonsList(d)}
<script type="application/json" id="report-data">${json}</script>
</body></html>
`;
}

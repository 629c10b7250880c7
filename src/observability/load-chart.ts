/**
 * The chart of one service's load against its ready capacity (replicas × capacity per replica)
 * and the forecast band (p50–p90) over the horizon, as a standalone SVG string. Pure: data in,
 * markup out, no clock and no I/O, so that the web page (GET /v1/services/{name}/chart.svg) and
 * offline HTML both draw the same chart. Every part carries a class and an aria-label.
 */

/** A value at a time; null: no sample. */
export interface ChartPoint {
  readonly t: number;
  readonly v: number | null;
}

/** Everything the chart draws. Times are unix seconds. */
export interface LoadChartInput {
  /** The instant the chart is drawn at: a vertical line between the past and the forecast. */
  readonly now: number;
  /** Observed load, oldest first. */
  readonly load: readonly ChartPoint[];
  /** Ready capacity as change points, oldest first: each holds until the next (the last until `now`). */
  readonly capacity: readonly ChartPoint[];
  /** The forecast band over the horizon, oldest first. */
  readonly forecast: readonly { readonly t: number; readonly p50: number | null; readonly p90: number | null }[];
  /** Capacity of the replicas planned ahead, change points after `now` (optional). */
  readonly planned?: readonly ChartPoint[];
  /** First time shown (default: the earliest point). */
  readonly from?: number;
}

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

const PAD = { left: 48, right: 12, top: 28, bottom: 26 };
/** Height of one legend row; the legend wraps on narrow charts and the plot starts below it. */
const LEGEND_ROW = 16;

/** Numbers in the markup: two decimals are finer than a pixel. */
const n = (v: number) => String(Math.round(v * 100) / 100);

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** Time ticks on whole hours (every 1, 2, 3, 6, 12 or 24 h) fitting about `count` labels. */
function timeTicks(lo: number, hi: number, count: number): number[] {
  const hours = [1, 2, 3, 6, 12, 24].find((h) => (hi - lo) / (h * 3600) <= count) ?? 48;
  const step = hours * 3600;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  return ticks;
}

function timeLabel(t: number): string {
  const d = new Date(t * 1000);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return hm === '00:00' ? `${d.getUTCMonth() + 1}/${d.getUTCDate()}` : hm;
}

function valueLabel(v: number): string {
  if (Math.abs(v) >= 1e6) return `${n(v / 1e6)}M`;
  if (Math.abs(v) >= 1e4) return `${n(v / 1e3)}k`;
  return n(v);
}

interface Scale {
  x(t: number): number;
  y(v: number): number;
  readonly from: number;
  readonly to: number;
  readonly max: number;
  /** Where the plot starts, below the legend. */
  readonly top: number;
}

function scaleOf(input: LoadChartInput, size: ChartSize, top0: number): Scale {
  const times = [
    ...input.load.map((p) => p.t),
    ...input.capacity.map((p) => p.t),
    ...input.forecast.map((p) => p.t),
    input.now,
  ];
  const from = input.from ?? Math.min(...times);
  const to = Math.max(from + 1, ...times);
  const values = [
    ...input.load.map((p) => p.v),
    ...input.capacity.map((p) => p.v),
    ...(input.planned ?? []).map((p) => p.v),
    ...input.forecast.flatMap((p) => [p.p50, p.p90]),
  ].filter((v): v is number => v !== null && Number.isFinite(v));
  const top = Math.max(1, ...values) * 1.05;
  const max = Math.max(niceTicks(0, top).at(-1) ?? top, top);
  const w = size.width - PAD.left - PAD.right;
  const h = size.height - top0 - PAD.bottom;
  return {
    from,
    to,
    max,
    top: top0,
    x: (t) => PAD.left + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * w,
    y: (v) => top0 + h - (v / max) * h,
  };
}

/** A line through the points, broken at nulls and before `from`. */
function linePath(points: readonly ChartPoint[], s: Scale): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.v === null || !Number.isFinite(p.v) || p.t < s.from) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${n(s.x(p.t))},${n(s.y(p.v))}`;
    pen = true;
  }
  return d;
}

/** A step line: each value holds until the next point, the last until `until`. */
function stepPath(points: readonly ChartPoint[], s: Scale, until: number): string {
  const steps: ChartPoint[] = [];
  points.forEach((p, i) => {
    const next = i + 1 < points.length ? points[i + 1].t : until;
    if (next <= s.from) return;
    const at = Math.max(p.t, s.from);
    steps.push({ t: at, v: p.v }, { t: next, v: p.v });
  });
  return linePath(steps, s);
}

/** The area between p50 and p90, one polygon per run of finite points. */
function bandPath(forecast: LoadChartInput['forecast'], s: Scale): string {
  const runs: (typeof forecast)[number][][] = [[]];
  for (const p of forecast) {
    if (p.p50 === null || p.p90 === null || !Number.isFinite(p.p50) || !Number.isFinite(p.p90)) runs.push([]);
    else runs[runs.length - 1].push(p);
  }
  return runs
    .filter((r) => r.length)
    .map((r) => {
      const upper = r.map((p, i) => `${i ? 'L' : 'M'}${n(s.x(p.t))},${n(s.y(p.p90 as number))}`).join('');
      const lower = [...r].reverse().map((p) => `L${n(s.x(p.t))},${n(s.y(p.p50 as number))}`);
      return `${upper}${lower.join('')}Z`;
    })
    .join('');
}

function axes(s: Scale, size: ChartSize): string {
  const out: string[] = [];
  const right = size.width - PAD.right;
  for (const v of niceTicks(0, s.max)) {
    const y = n(s.y(v));
    out.push(`<line class="grid" x1="${PAD.left}" x2="${right}" y1="${y}" y2="${y}"/>`);
    out.push(`<text class="tick" x="${PAD.left - 4}" y="${y}" text-anchor="end" dy="0.32em">${valueLabel(v)}</text>`);
  }
  const labels = Math.max(2, Math.floor((size.width - PAD.left - PAD.right) / 70));
  const base = size.height - PAD.bottom;
  for (const t of timeTicks(s.from, s.to, labels)) {
    const x = n(s.x(t));
    out.push(`<line class="grid" x1="${x}" x2="${x}" y1="${s.top}" y2="${base}"/>`);
    out.push(`<text class="tick" x="${x}" y="${base + 16}" text-anchor="middle">${timeLabel(t)}</text>`);
  }
  out.push(`<text class="tick" x="4" y="${base + 16}">UTC</text>`);
  return `<g class="axes" aria-hidden="true">${out.join('')}</g>`;
}

const LEGEND: readonly [cls: string, label: string][] = [
  ['load', 'load'],
  ['capacity', 'ready capacity'],
  ['planned', 'planned capacity'],
  ['forecast-band', 'forecast p50–p90'],
];

/** The legend, wrapped to the width, and the height it takes. */
function legend(hasPlanned: boolean, width: number): { markup: string; height: number } {
  let x = PAD.left;
  let y = 12;
  const items = LEGEND.filter(([cls]) => hasPlanned || cls !== 'planned').map(([cls, label]) => {
    const w = 22 + label.length * 6.2;
    if (x > PAD.left && x + w > width - PAD.right) {
      x = PAD.left;
      y += LEGEND_ROW;
    }
    const item =
      `<g class="legend-item ${cls}" transform="translate(${n(x)},${y})">` +
      `<rect class="swatch" width="12" height="4" y="-2"/><text x="16" dy="0.32em">${label}</text></g>`;
    x += w;
    return item;
  });
  return { markup: `<g class="legend">${items.join('')}</g>`, height: y + LEGEND_ROW };
}

const STYLE =
  '.load-chart{font:11px system-ui,sans-serif;fill:#333}.grid{stroke:#e3e3e3}.tick{fill:#666}' +
  'path{fill:none;stroke-width:1.6}path.load{stroke:#1f5fbf}path.capacity{stroke:#2e8b3e;stroke-width:2}' +
  'path.planned{stroke:#2e8b3e;stroke-dasharray:4 3}path.forecast-band{fill:#f0a020;fill-opacity:.35;stroke:none}' +
  'path.forecast-p50{stroke:#c07000;stroke-dasharray:5 3}line.now{stroke:#999;stroke-dasharray:2 2}' +
  '.legend-item.load .swatch{fill:#1f5fbf}.legend-item.capacity .swatch{fill:#2e8b3e}' +
  '.legend-item.planned .swatch{fill:#8fc79a}.legend-item.forecast-band .swatch{fill:#f0a020}';

/** The chart as an SVG document (also fit to be inlined in HTML). */
export function loadChartSvg(input: LoadChartInput, size: ChartSize, title = 'load against ready capacity'): string {
  const planned = input.planned ?? [];
  const key = legend(planned.length > 0, size.width);
  const s = scaleOf(input, size, Math.max(PAD.top, key.height));
  const lastForecast = input.forecast.at(-1)?.t ?? input.now;
  const nowX = n(s.x(Math.min(Math.max(input.now, s.from), s.to)));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="load-chart" role="img" aria-label="${escapeXml(title)}"`,
    ` viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}">`,
    `<title>${escapeXml(title)}</title><style>${STYLE}</style>`,
    axes(s, size),
    `<path class="forecast-band" aria-label="forecast p50–p90" d="${bandPath(input.forecast, s)}"/>`,
    `<path class="forecast-p50" aria-label="forecast p50" d="${linePath(
      input.forecast.map((p) => ({ t: p.t, v: p.p50 })),
      s,
    )}"/>`,
    `<path class="capacity" aria-label="ready capacity" d="${stepPath(input.capacity, s, input.now)}"/>`,
    planned.length
      ? `<path class="planned" aria-label="planned capacity" d="${stepPath(planned, s, lastForecast)}"/>`
      : '',
    `<path class="load" aria-label="load" d="${linePath(input.load, s)}"/>`,
    `<line class="now" aria-label="now" x1="${nowX}" x2="${nowX}" y1="${s.top}" y2="${size.height - PAD.bottom}"/>`,
    key.markup,
    '</svg>',
  ];
  return parts.join('');
}

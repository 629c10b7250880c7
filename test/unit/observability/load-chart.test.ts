import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadChartSvg, niceTicks, type LoadChartInput } from '../../../src/observability/load-chart.js';

const now = 1_700_000_000;
const input: LoadChartInput = {
  now,
  from: now - 48 * 3600,
  load: [
    { t: now - 3 * 3600, v: 100 },
    { t: now - 2 * 3600, v: null },
    { t: now - 3600, v: 300 },
    { t: now, v: 350 },
  ],
  capacity: [
    { t: now - 10 * 3600, v: 200 },
    { t: now - 3600, v: 400 },
  ],
  forecast: [
    { t: now + 300, p50: 360, p90: 420 },
    { t: now + 600, p50: 380, p90: 500 },
  ],
  planned: [{ t: now + 300, v: 600 }],
};

function attr(svg: string, cls: string, name: string): string {
  const m = new RegExp(`<[a-z]+ class="${cls}"[^>]* ${name}="([^"]*)"`).exec(svg);
  assert.ok(m, `no ${cls} with ${name}`);
  return m[1];
}

test('load chart: a forecast band (p90 out, p50 back), a load line broken at the gap, capacity as steps', () => {
  const svg = loadChartSvg(input, { width: 800, height: 300 });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*role="img"/);
  const band = attr(svg, 'forecast-band', 'd');
  assert.match(band, /^M[\d.]+,[\d.]+L[\d.]+,[\d.]+L[\d.]+,[\d.]+L[\d.]+,[\d.]+Z$/, band);
  assert.equal(attr(svg, 'forecast-band', 'aria-label'), 'forecast p50–p90');
  const load = attr(svg, 'load', 'd');
  assert.equal(load.split('M').length - 1, 2, 'the null splits the line in two');
  const cap = attr(svg, 'capacity', 'd');
  assert.equal((cap.match(/[ML]/g) ?? []).length, 4, 'two steps, each a start and an end');
  assert.match(svg, /class="planned"/);
  // every coordinate falls inside the drawing
  for (const [, x, y] of svg.matchAll(/[ML]([\d.-]+),([\d.-]+)/g)) {
    assert.ok(+x >= 0 && +x <= 800 && +y >= 0 && +y <= 300, `${x},${y} outside`);
  }
});

test('load chart: the higher of load, capacity and forecast sets the scale; the title is escaped', () => {
  const svg = loadChartSvg(input, { width: 400, height: 200 }, 'a<b> & "c"');
  assert.match(svg, /aria-label="a&#60;b&#62; &#38; &#34;c&#34;"/);
  assert.doesNotMatch(svg, /<b>/);
  // the planned 600 is the top of the data: a tick at 600 is drawn, none beyond the next
  assert.match(svg, />600</);
  const empty = loadChartSvg({ now, load: [], capacity: [], forecast: [] }, { width: 300, height: 200 });
  assert.match(empty, /class="forecast-band"[^>]*d=""/, 'nothing to draw is an empty path, not an error');
});

test('niceTicks: round steps covering the range', () => {
  assert.deepEqual(niceTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(
    niceTicks(0, 7),
    [0, 2, 4, 6, 8].filter((v) => v <= 7),
  );
  assert.deepEqual(niceTicks(5, 5), [5]);
});

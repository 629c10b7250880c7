/**
 * `prescale report` as a user runs it (the built CLI): its numbers are those of `simulate --json`
 * on the same input, the page holds the charts and tables and renders in a real headless
 * Chromium with nothing fetched, and bad input is refused with the flag or file named.
 * PRESCALE_UPDATE_SCREENSHOT=1 also writes the screenshot to docs/images/report.png.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'prescale.js');
// relative to ROOT, where the commands run, so that the page (and its screenshot) names it so
const SAMPLE = join('data', 'sample-web.csv');
const dir = mkdtempSync(join(tmpdir(), 'prescale-report-'));
const args = ['--input', SAMPLE, '--capacity', '20', '--startup-delay', '300'];

function cli(...a: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...a], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Score {
  unservedPct: number;
  underStepsPct: number;
  replicaSteps: number;
  actions: number;
  costVsOracle: number;
}

let simulated: { scoredFrom: number; prescale: Score; reactive: Score; oracle: Score; refits: number; reasons: object };
let html: string;
let stderr: string;
let data: {
  scoredFrom: number;
  prescale: Score;
  reactive: Score;
  oracle: Score;
  refits: number;
  reasons: object;
  frontier: (Score & { target: number })[];
};
let browser: Browser;
const page = join(dir, 'report.html');

before(async () => {
  const s = cli('simulate', ...args, '--output', join(dir, 'schedule.csv'), '--json');
  assert.equal(s.code, 0, s.stderr);
  simulated = JSON.parse(s.stdout);
  const r = cli('report', ...args, '--output', page);
  assert.equal(r.code, 0, r.stderr);
  stderr = r.stderr;
  html = readFileSync(page, 'utf8');
  const m = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  assert.ok(m, 'the page embeds its numbers');
  data = JSON.parse(m[1]);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
});

test('the report replays exactly what simulate --json scores', () => {
  for (const key of ['scoredFrom', 'prescale', 'reactive', 'oracle', 'refits', 'reasons'] as const) {
    assert.deepEqual(data[key], simulated[key], key);
  }
  // the frontier is the reference reactive HPA at each target: its 0.8 point is the reactive row
  assert.deepEqual(
    data.frontier.map((p) => p.target),
    [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
  );
  const { target: _t, ...at08 } = data.frontier.find((p) => p.target === 0.8)!;
  assert.deepEqual(at08, simulated.reactive);
  assert.ok(data.frontier[0].costVsOracle > data.frontier[6].costVsOracle, 'a lower target costs more');
});

test('the summary table shows simulate’s numbers, as simulate prints them', () => {
  const table = /<table id="summary">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
  for (const key of ['prescale', 'reactive', 'oracle'] as const) {
    const row = new RegExp(`<tr data-policy="${key}">(.*?)</tr>`, 's').exec(table)?.[1] ?? '';
    const cells = [...row.matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]);
    const s = simulated[key];
    assert.deepEqual(
      cells,
      [
        `${s.unservedPct.toFixed(3)} %`,
        `${s.underStepsPct.toFixed(2)} %`,
        s.costVsOracle.toFixed(3),
        String(s.actions),
      ],
      key,
    );
  }
});

test('the page is self-contained: two inline SVG charts, no script, link or image to fetch', () => {
  assert.equal(html.match(/<svg[\s>]/g)?.length, 2);
  assert.doesNotMatch(html, /<script(?![^>]*type="application\/json")/);
  assert.doesNotMatch(html, /<(link|img|iframe)\b/);
  assert.doesNotMatch(html, /(src|href)="https?:/);
});

test('progress goes to stderr as a line per quarter of each phase when stderr is not a terminal', () => {
  for (const phase of ['forecast', 'plan']) {
    for (const pct of [25, 50, 75, 100]) assert.match(stderr, new RegExp(`report: ${phase} ${pct} % \\(`));
  }
  assert.match(stderr, /wrote .*report\.html/);
});

test('progress is a bar when stderr is a terminal', () => {
  // script(1) gives the command a pseudo-terminal
  const cmd = [process.execPath, BIN, 'report', ...args, '--output', join(dir, 'tty.html')]
    .map((a) => `'${a}'`)
    .join(' ');
  const r = spawnSync('script', ['-qefc', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /report \|[\u2588\u2591]+\| forecast \d+\/4032 steps/);
  assert.match(r.stdout, /\| plan 4032\/4032 steps/);
  assert.doesNotMatch(r.stdout, /report: forecast 25 %/);
});

test('Chromium renders the page from disk, fetching nothing', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const tab = await context.newPage();
  await tab.goto(pathToFileURL(page).href);
  assert.deepEqual(requests, [pathToFileURL(page).href]);
  for (const id of ['#replay-chart svg', '#frontier-chart svg']) {
    const box = await tab.locator(id).boundingBox();
    assert.ok(box && box.width > 500 && box.height > 300, `${id} is drawn (${JSON.stringify(box)})`);
  }
  // the load chart draws the three lines and marks the misses
  assert.ok((await tab.locator('#replay-chart svg path').count()) >= 4);
  assert.equal(await tab.locator('#summary tbody tr').count(), 3);
  assert.equal(await tab.locator('#frontier tbody tr').count(), 8);
  const shot = join(dir, 'report.png');
  await tab.screenshot({ path: shot, fullPage: true });
  assert.ok(readFileSync(shot).length > 50_000);
  if (process.env.PRESCALE_UPDATE_SCREENSHOT) copyFileSync(shot, join(ROOT, 'docs', 'images', 'report.png'));
  await context.close();
});

test('bad input is refused with exit 2, naming the file or the flag', () => {
  const out = join(dir, 'bad.html');
  const missing = cli(
    'report',
    '--input',
    join(dir, 'nope.csv'),
    '--capacity',
    '20',
    '--startup-delay',
    '300',
    '--output',
    out,
  );
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.csv/);
  for (const capacity of ['0', '-5', 'lots']) {
    const r = cli('report', '--input', SAMPLE, '--capacity', capacity, '--startup-delay', '300', '--output', out);
    assert.equal(r.code, 2, capacity);
    assert.match(r.stderr, /--capacity/);
  }
  const tiny = cli('report', '--input', SAMPLE, '--capacity', '0.0001', '--startup-delay', '300', '--output', out);
  assert.equal(tiny.code, 2);
  assert.match(tiny.stderr, /--capacity 0\.0001: the trace's peak .* replicas/);
  const policy = join(dir, 'bad.yaml');
  writeFileSync(policy, 'targetUtilization: 3\n');
  const bad = cli('report', ...args, '--policy', policy, '--output', out);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.yaml.*targetUtilization/s);
  const unwritable = cli('report', ...args, '--output', join(dir, 'no', 'such', 'dir', 'r.html'));
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /--output .*r\.html: cannot write/);
  assert.equal(existsSync(out), false);
});

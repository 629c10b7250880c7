import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { skipUnless } from '../support/integration.js';
import { rampStart } from '../support/embedded.js';
import { getJson, serve, until, type Served } from '../support/serve.js';

/**
 * The web page of `serve --embedded` in a real browser (Debian's Chromium through
 * playwright-core): the service, its status sentence, its chart with the forecast band and its
 * decisions are on screen at desktop and phone widths, nothing is loaded from elsewhere, and the
 * page refreshes by itself. Screenshots go to PRESCALE_TEST_OUTPUT (else a temporary folder);
 * PRESCALE_PAGE_SCREENSHOT=docs/images/page.png also writes the README's picture.
 */
const CHROMIUM = '/usr/bin/chromium';
const SERVICE = 'swarm/demo-web';
const out = process.env.PRESCALE_TEST_OUTPUT ?? mkdtempSync(join(tmpdir(), 'prescale-page-'));

interface ServiceView {
  key: string;
  message: string;
  currentReplicas: number;
  desiredReplicas: number;
}

describe('the web page of serve --embedded, in Chromium', { skip: skipUnless(existsSync(CHROMIUM), CHROMIUM) }, () => {
  let s: Served;
  let browser: Browser;

  before(async () => {
    // two simulated minutes a second: a cycle every 2 s plans 4 minutes on, hours of trail in a minute
    s = await serve(['--embedded', '--schedule', '*/2 * * * * *'], {
      env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
      clock: { start: rampStart(), rate: 120 },
    });
    await until(s, 'a few decisions', async () => {
      const d = await getJson<{ decisions: unknown[] }>(
        `${s.url}/v1/services/${encodeURIComponent(SERVICE)}/decisions`,
      );
      return d && d.decisions.length >= 8 ? d : undefined;
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(out, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  /** Opens the page at `width`×`height`, collecting every URL it asks for. */
  async function open(width: number, height: number, query = ''): Promise<{ page: Page; asked: string[] }> {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    const asked: string[] = [];
    page.on('request', (r) => asked.push(r.url()));
    await page.goto(`${s.url}/${query}`);
    await page.locator('#chart svg.load-chart path.forecast-band[d^="M"]').waitFor({ timeout: 30_000 });
    await page.locator('#chart-near svg.load-chart path.forecast-band[d^="M"]').waitFor();
    await page.locator('#decisions tbody tr').first().waitFor();
    return { page, asked };
  }

  async function checkOnScreen(page: Page, width: number): Promise<void> {
    const [view] = (await getJson<ServiceView[]>(`${s.url}/v1/services`)) ?? [];
    assert.equal(view.key, SERVICE);
    const item = page.locator('#services a', { hasText: SERVICE });
    assert.ok(await item.isVisible(), 'the service is listed');
    assert.equal(await item.getAttribute('aria-current'), 'true');
    assert.ok(await item.locator('.status').isVisible());
    assert.match((await item.locator('.message').textContent()) ?? '', /\S/, 'its one-sentence reason');
    assert.equal(await page.locator('#detail-title').textContent(), SERVICE);
    assert.match((await page.locator('#current').textContent()) ?? '', /^\d+$/);
    assert.match((await page.locator('#desired').textContent()) ?? '', /^\d+$/);
    for (const chart of ['#chart', '#chart-near'])
      for (const part of ['forecast-band', 'load', 'capacity']) {
        // a flat line (replicas that did not change) has no height, which Playwright counts as
        // not visible: the test asks for a drawn path as wide as some time, inside the screen
        const box = await page
          .locator(`${chart} svg.load-chart path.${part}`)
          .evaluate((el) => ({ ...el.getBoundingClientRect().toJSON(), d: el.getAttribute('d') ?? '' }) as const);
        assert.match(box.d, /^M[\d.-]/, `${chart} ${part} is drawn`);
        assert.ok(box.width > 0 && box.x >= 0 && box.x + box.width <= width + 1, `${part} inside the screen`);
      }
    assert.equal(
      await page.locator('#chart svg.load-chart path.forecast-band').getAttribute('aria-label'),
      'forecast p50–p90',
    );
    // the legend fits: its last item ends inside the chart
    const legend = await page.locator('#chart .legend-item.forecast-band').boundingBox();
    assert.ok(legend && legend.x + legend.width <= width, 'the legend fits the screen');
    const reasons = await page.locator('#decisions tbody td.reasons').allTextContents();
    assert.ok(reasons.length >= 2);
    for (const r of reasons) assert.match(r, /^[A-Z][A-Za-z]+(, [A-Z][A-Za-z]+)*$/, `reason codes: ${r}`);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
  }

  test('desktop: the service, its reason, its chart with the forecast band and its decisions', async () => {
    const { page, asked } = await open(1280, 860);
    await checkOnScreen(page, 1280);
    assert.match(page.url(), /\?service=swarm%2Fdemo-web$/, 'the selection is kept in the URL');
    const foreign = asked.filter((u) => !u.startsWith(s.url));
    assert.deepEqual(foreign, [], 'every script, style and datum comes from prescale');
    await page.screenshot({ path: join(out, 'page-desktop.png'), fullPage: true });
    const docs = process.env.PRESCALE_PAGE_SCREENSHOT;
    if (docs) {
      mkdirSync(dirname(resolve(docs)), { recursive: true });
      await page.screenshot({ path: resolve(docs), fullPage: true });
    }
    await page.close();
  });

  test('phone: the same at 390 px wide, nothing wider than the screen', async () => {
    const { page } = await open(390, 844, `?service=${encodeURIComponent(SERVICE)}`);
    await checkOnScreen(page, 390);
    const chartWidth = await page.locator('#chart svg.load-chart').evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(chartWidth > 250 && chartWidth <= 390, `chart ${chartWidth} px`);
    await page.screenshot({ path: join(out, 'page-phone.png'), fullPage: true });
    await page.close();
  });

  test('it refreshes by itself: new decisions appear without a reload', async () => {
    const { page } = await open(1024, 768, '?refresh=2');
    const first = await page.locator('#decisions tbody tr').first().textContent();
    // the page's own code runs in the browser: the condition is a string (no DOM types here)
    await page.waitForFunction(
      `document.querySelector('#decisions tbody tr')?.textContent !== ${JSON.stringify(first)}`,
      undefined,
      { timeout: 20_000 },
    );
    await page.close();
  });
});

test('npm start (bin/prescale.js serve --embedded) serves the page and its assets', async () => {
  const s = await serve(['--embedded'], { env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
  try {
    const page = await until(s, 'GET /', async () => {
      const r = await fetch(`${s.url}/`);
      return r.ok ? r : undefined;
    });
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    for (const [, ref] of html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)) {
      assert.equal((await fetch(`${s.url}${ref}`)).status, 200, ref);
    }
    const svg = await until(s, 'a chart', async () => {
      const r = await fetch(`${s.url}/v1/services/${encodeURIComponent(SERVICE)}/chart.svg`);
      return r.ok ? r.text() : undefined;
    });
    assert.match(svg, /<path class="forecast-band" aria-label="forecast p50–p90" d="M/);
  } finally {
    await s.stop();
  }
});

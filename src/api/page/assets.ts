/**
 * The web page at GET /: an HTML shell, its style and its script, served by prescale itself (no
 * CDN, nothing from the internet). The script reads the JSON API and the server-drawn chart
 * (GET /v1/services/{name}/chart.svg), keeps the selected service in the URL (?service=KEY) and
 * refreshes by itself. Kept as strings so that they ship inside dist/ with the code.
 */

/** Seconds between two refreshes of the page's data (`?refresh=SECONDS` sets another, 2 to 3600). */
export const PAGE_REFRESH_SEC = 15;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>prescale</title>
<link rel="stylesheet" href="/ui/page.css">
</head>
<body>
<header>
  <h1>prescale</h1>
  <span id="updated" role="status">loading…</span>
  <nav><a href="/docs">API</a> <a href="/metrics">metrics</a></nav>
</header>
<main>
  <section aria-labelledby="services-title">
    <h2 id="services-title">Services</h2>
    <ul id="services"></ul>
  </section>
  <section id="detail" aria-labelledby="detail-title" hidden>
    <h2 id="detail-title"></h2>
    <p id="detail-message"></p>
    <dl id="figures">
      <div><dt>current</dt><dd id="current"></dd></div>
      <div><dt>desired</dt><dd id="desired"></dd></div>
      <div><dt>reason</dt><dd id="reason"></dd></div>
      <div><dt>model</dt><dd id="model"></dd></div>
    </dl>
    <h3>The last 48 hours</h3>
    <figure id="chart" class="chart" aria-label="load, ready capacity and forecast, the last 48 hours"></figure>
    <h3>The last 6 hours and the forecast</h3>
    <figure id="chart-near" class="chart" aria-label="load, ready capacity and forecast, the last 6 hours"></figure>
    <h3>Last decisions</h3>
    <div class="scroll">
      <table id="decisions">
        <thead><tr><th>time</th><th>replicas</th><th>reasons</th><th>applied</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>
</main>
<script type="module" src="/ui/page.js"></script>
</body>
</html>
`;

export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#222;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;padding:.6rem 1rem;background:#1d2633;color:#fff}
header h1{margin:0;font-size:1.2rem}
header nav{margin-left:auto}
header a{color:#cfe0ff}
#updated{font-size:.85rem;color:#c8ced8}
main{display:grid;grid-template-columns:minmax(240px,320px) 1fr;gap:1rem;padding:1rem;max-width:1400px;margin:auto}
section{background:#fff;border:1px solid #e1e4e8;border-radius:6px;padding:.8rem;min-width:0}
h2{margin:.1rem 0 .6rem;font-size:1.05rem}
h3{font-size:.95rem;margin:1rem 0 .4rem}
#services{list-style:none;margin:0;padding:0}
#services li{border-bottom:1px solid #eee}
#services a{display:block;padding:.5rem .3rem;color:inherit;text-decoration:none}
#services a[aria-current="true"]{background:#eef4ff}
.name{font-weight:600;word-break:break-all}
.status{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:8px;margin-left:.3rem;background:#ddd}
.status.planned{background:#d6f0dc;color:#185c2a}
.status.held{background:#fde9c5;color:#7a4a00}
.status.skipped,.status.failed,.status.gone{background:#f9d4d4;color:#7d1a1a}
.message{display:block;font-size:.85rem;color:#555}
#figures{display:flex;flex-wrap:wrap;gap:.4rem 1.5rem;margin:.4rem 0}
#figures div{min-width:5rem;max-width:100%}
#model{overflow-wrap:anywhere}
dt{font-size:.75rem;color:#666}
dd{margin:0;font-size:1.1rem;font-weight:600}
.chart{margin:.3rem 0 .6rem;min-height:160px}
.chart svg{display:block;max-width:100%;height:auto}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid #eee;white-space:nowrap}
td.reasons{white-space:normal;overflow-wrap:anywhere}
@media (max-width:700px){main{grid-template-columns:1fr;padding:.5rem}}
`;

export const PAGE_JS = `
const asked = Number(new URLSearchParams(location.search).get('refresh'));
const REFRESH_MS = (asked >= 2 && asked <= 3600 ? asked : ${PAGE_REFRESH_SEC}) * 1000;
const $ = (id) => document.getElementById(id);
let selected = new URLSearchParams(location.search).get('service');

async function get(url, as = 'json') {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(url + ' answered ' + r.status);
  return as === 'json' ? r.json() : r.text();
}

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function path(key) {
  return '/v1/services/' + encodeURIComponent(key);
}

function time(t) {
  const opts = { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return new Date(t * 1000).toLocaleString('en', opts) + ' UTC';
}

function keepInUrl(key, push) {
  const url = new URL(location.href);
  if (url.searchParams.get('service') === key) return;
  url.searchParams.set('service', key);
  history[push ? 'pushState' : 'replaceState'](null, '', url);
}

function select(key) {
  selected = key;
  keepInUrl(key, true);
  void refresh();
}

function renderList(services) {
  const items = services.map((s) => {
    const a = el('a', { href: '?service=' + encodeURIComponent(s.key) },
      el('span', { className: 'name', textContent: s.key }),
      el('span', { className: 'status ' + s.status, textContent: s.status }),
      el('span', { className: 'message', textContent: s.message }));
    a.setAttribute('aria-current', String(s.key === selected));
    a.addEventListener('click', (ev) => { ev.preventDefault(); select(s.key); });
    return el('li', {}, a);
  });
  $('services').replaceChildren(...(items.length ? items : [el('li', { textContent: 'No service is labelled for prescale yet.' })]));
}

function renderDecisions(decisions) {
  $('decisions').tBodies[0].replaceChildren(...decisions.map((d) => el('tr', {},
    el('td', { textContent: time(d.at) }),
    el('td', { textContent: d.currentReplicas + ' → ' + d.desiredReplicas }),
    el('td', { className: 'reasons', textContent: d.reasons.length ? d.reasons.join(', ') : d.status }),
    el('td', { textContent: d.applied ? 'yes' : '' }))));
}

async function renderDetail(s) {
  $('detail').hidden = false;
  $('detail-title').textContent = s.key;
  $('detail-message').textContent = s.message;
  $('current').textContent = s.currentReplicas ?? '–';
  $('desired').textContent = s.desiredReplicas ?? '–';
  $('reason').textContent = s.reason ?? s.status;
  $('model').textContent = s.model ?? '–';
  const width = Math.max(240, Math.floor($('chart').clientWidth || 320));
  const size = '?width=' + width + '&height=' + (width < 600 ? 240 : 300);
  const [far, near, trail] = await Promise.all([
    get(path(s.key) + '/chart.svg' + size + '&hours=48', 'text'),
    get(path(s.key) + '/chart.svg' + size + '&hours=6', 'text'),
    get(path(s.key) + '/decisions?limit=20'),
  ]);
  $('chart').innerHTML = far;
  $('chart-near').innerHTML = near;
  renderDecisions(trail.decisions);
}

let running = false;
async function refresh() {
  if (running) return;
  running = true;
  try {
    const services = await get('/v1/services');
    if (!services.some((s) => s.key === selected)) selected = services[0] ? services[0].key : null;
    if (selected) keepInUrl(selected, false);
    renderList(services);
    const s = services.find((x) => x.key === selected);
    if (s) await renderDetail(s);
    else $('detail').hidden = true;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (err) {
    $('updated').textContent = 'could not refresh: ' + err.message;
  } finally {
    running = false;
  }
}

let resized;
addEventListener('resize', () => { clearTimeout(resized); resized = setTimeout(refresh, 300); });
addEventListener('popstate', () => { selected = new URLSearchParams(location.search).get('service'); void refresh(); });
setInterval(refresh, REFRESH_MS);
void refresh();
`;

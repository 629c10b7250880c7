import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { skipUnless } from '../support/integration.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { rampStart } from '../support/embedded.js';
import { getJson, serve, until, type Served } from '../support/serve.js';

/**
 * deploy/grafana/prescale.json against a real Prometheus that scrapes a running
 * `serve --embedded` (on a fast planning clock, so that startup delays and scale actions pass in
 * seconds): every panel's PromQL, with the dashboard's variables put in as Grafana would, returns
 * data. Grafana itself is not run.
 */
interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  id: number;
  title: string;
  type: string;
  targets: Target[];
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { uid: string };
}
interface Dashboard {
  uid: string;
  __inputs: { name: string }[];
  templating: { list: { name: string; definition: string }[] };
  panels: Panel[];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../deploy/grafana/prescale.json', import.meta.url), 'utf8'),
) as Dashboard;
const SERVICE = 'swarm/demo-web';
const SCRAPE_SEC = 1;
/** What Grafana puts in: $__rate_interval is at least four scrape intervals. */
const VARIABLES: Record<string, string> = {
  $service: SERVICE,
  $__rate_interval: `${8 * SCRAPE_SEC}s`,
  $__interval: `${2 * SCRAPE_SEC}s`,
  $__range: '1m',
};

function substitute(expr: string): string {
  return expr.replace(/\$\{?(__rate_interval|__interval|__range|service)\}?/g, (_m, name: string) => {
    const v = VARIABLES[`$${name}`];
    assert.ok(v, `no value for $${name}`);
    return v;
  });
}

type Vector = { metric: Record<string, string>; value: [number, string] }[];

async function instant(
  prom: PrometheusHandle,
  expr: string,
): Promise<{ status: string; data?: { result: Vector }; error?: string }> {
  const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await r.json()) as { status: string; data?: { result: Vector }; error?: string };
}

describe(
  'the Grafana dashboard on a real Prometheus scraping serve --embedded',
  { skip: skipUnless(hasPrometheus(), 'prometheus') },
  () => {
    let s: Served;
    let prom: PrometheusHandle;

    before(async () => {
      s = await serve(['--embedded', '--schedule', '*/2 * * * * *'], {
        env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
        clock: { start: rampStart(), rate: 120 },
      });
      await until(s, 'the first cycle', async () =>
        (await getJson<unknown[]>(`${s.url}/v1/recommendations`))?.length ? true : undefined,
      );
      prom = await startPrometheus({ scrape: { targets: [new URL(s.url).host], intervalSec: SCRAPE_SEC } });
    });

    after(async () => {
      await prom?.stop();
      await s?.stop();
    });

    test('the dashboard is importable: a data source input, a service variable, panels laid out once each', () => {
      assert.equal(dashboard.uid, 'prescale');
      assert.deepEqual(
        dashboard.__inputs.map((i) => i.name),
        ['DS_PROMETHEUS'],
      );
      assert.deepEqual(
        dashboard.templating.list.map((v) => v.name),
        ['service'],
      );
      const ids = dashboard.panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
      for (const p of dashboard.panels) {
        assert.equal(p.datasource.uid, '${DS_PROMETHEUS}', p.title);
        assert.ok(p.targets.length > 0, `${p.title} has a query`);
        assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24-column grid`);
      }
    });

    test('the service variable finds the service', async () => {
      const [, metric, label] = /label_values\((\w+), (\w+)\)/.exec(dashboard.templating.list[0].definition) ?? [];
      const values = await until(undefined, `${label} values`, async () => {
        const r = await getJson<{ data: string[] }>(`${prom.url}/api/v1/label/${label}/values?match[]=${metric}`);
        return r?.data.includes(SERVICE) ? r.data : undefined;
      });
      assert.ok(values.includes(SERVICE));
    });

    test('every panel’s PromQL returns data', async () => {
      const queries = dashboard.panels.flatMap((p) =>
        p.targets.map((t) => ({ panel: p.title, expr: substitute(t.expr) })),
      );
      assert.ok(queries.length >= 12);
      const empty = new Map<string, string>();
      await until(
        undefined,
        'every panel to have data',
        async () => {
          empty.clear();
          for (const q of queries) {
            const r = await instant(prom, q.expr);
            assert.equal(r.status, 'success', `${q.panel}: ${q.expr}: ${r.error}`);
            if (!r.data?.result.length) empty.set(q.panel, q.expr);
          }
          return empty.size ? undefined : true;
        },
        90_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nno data: ${JSON.stringify([...empty], null, 1)}\n${s.output().slice(-2000)}`);
      });
    });

    test('forecast against actual: what was forecast one startup delay ago for now is a band around the load', async () => {
      const at = (expr: string) =>
        instant(prom, `${expr}{service="${SERVICE}"}`).then((r) => Number(r.data?.result[0]?.value[1]));
      const [load, p50, p90] = await Promise.all(
        ['prescale_observed_load', 'prescale_forecast_p50_for_now', 'prescale_forecast_p90_for_now'].map(at),
      );
      assert.ok(Number.isFinite(load) && load > 0, `load ${load}`);
      assert.ok(p90 >= p50 && p50 > 0, `p50 ${p50}, p90 ${p90}`);
      // the sample's load is between 100 and 1100: a forecast for now far off that scale would be a wrong alignment
      assert.ok(p50 < 5 * load && p50 > load / 5, `p50 ${p50} against load ${load}`);
    });
  },
);

/**
 * The Prometheus source against a real HTTP server on 127.0.0.1 that serves recorded
 * `query_range` JSON only to a request with the right Authorization header, as a Prometheus
 * behind basic auth or a bearer-token proxy does.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { redactUrl, resolveAuth } from '../../../../../src/adapters/sources/prometheus/auth.js';
import { PrometheusSource } from '../../../../../src/adapters/sources/prometheus/source.js';
import { describeError, isPrescaleError } from '../../../../../src/core/domain/errors.js';

const PASSWORD = 's3cr3t-pa55';
const TOKEN = 'tok-0123456789';
const ANSWER = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      {
        metric: {},
        values: [
          [1700000000, '12.5'],
          [1700000060, '13'],
        ],
      },
    ],
  },
});

let server: Server;
let port: number;
const seen: (string | undefined)[] = [];

before(async () => {
  const accepted = new Set([`Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`, `Bearer ${TOKEN}`]);
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (!accepted.has(req.headers.authorization ?? '')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="prometheus"' }).end('Unauthorized\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const query = (source: PrometheusSource) => source.queryRange('up', 1700000000, 1700000060, 60);

test('credentials in the URL are sent as basic auth, not in the URL', async () => {
  const source = new PrometheusSource({ url: `http://admin:${PASSWORD}@127.0.0.1:${port}/`, retries: 0 });
  assert.deepEqual(await query(source), { timestamps: [1700000000, 1700000060], values: [12.5, 13] });
});

test('percent-encoded credentials in the URL are decoded before they are sent', async () => {
  const encoded = encodeURIComponent(PASSWORD).replace(/-/g, '%2D');
  const source = new PrometheusSource({ url: `http://admin:${encoded}@127.0.0.1:${port}`, retries: 0 });
  assert.equal((await query(source)).values.length, 2);
});

test('a bearer token is sent in the Authorization header', async () => {
  const source = new PrometheusSource({ url: `http://127.0.0.1:${port}`, auth: { kind: 'bearer', token: TOKEN } });
  assert.equal((await query(source)).values.length, 2);
  assert.equal(seen.at(-1), `Bearer ${TOKEN}`);
});

test('refused credentials are E_SOURCE_QUERY, not retried, and the message holds no secret', async () => {
  const before = seen.length;
  const source = new PrometheusSource({ url: `http://admin:wrong-${PASSWORD}@127.0.0.1:${port}`, retries: 3 });
  await assert.rejects(query(source), (e: unknown) => {
    assert.ok(isPrescaleError(e, 'E_SOURCE_QUERY'), String(e));
    assert.match(e.message, /HTTP 401.*check the credentials/);
    assert.doesNotMatch(describeError(e), new RegExp(PASSWORD));
    return true;
  });
  assert.equal(seen.length - before, 1);
  const none = new PrometheusSource({ url: `http://127.0.0.1:${port}`, retries: 0 });
  await assert.rejects(
    query(none),
    (e: unknown) => isPrescaleError(e, 'E_SOURCE_QUERY') && /needs credentials/.test(e.message),
  );
});

test('an unreachable Prometheus is named without its credentials', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const source = new PrometheusSource({ url: `http://admin:${PASSWORD}@127.0.0.1:${deadPort}`, retries: 0 });
  await assert.rejects(query(source), (e: unknown) => {
    assert.ok(isPrescaleError(e, 'E_SOURCE_UNREACHABLE'), String(e));
    assert.equal(e.message, `Prometheus at http://***:***@127.0.0.1:${deadPort} is unreachable`);
    assert.doesNotMatch(describeError(e), new RegExp(PASSWORD));
    return true;
  });
});

test('credentials both in the URL and given apart are refused', () => {
  assert.throws(
    () => new PrometheusSource({ url: `http://admin:${PASSWORD}@h:9090`, auth: { kind: 'bearer', token: TOKEN } }),
    (e: unknown) => isPrescaleError(e, 'E_INPUT') && !e.message.includes(PASSWORD),
  );
});

test('redactUrl hides the userinfo and secret-looking query parameters, and leaves the rest', () => {
  assert.equal(redactUrl(`http://admin:${PASSWORD}@prom:9090/`), 'http://***:***@prom:9090');
  assert.equal(
    redactUrl('https://prom.example/api?x=1&access_token=abc'),
    'https://prom.example/api?x=1&access_token=***',
  );
  assert.equal(redactUrl('http://prom:9090'), 'http://prom:9090');
  assert.equal(redactUrl(`not a url //admin:${PASSWORD}@h`), 'not a url //***@h');
});

test('resolveAuth: token file or environment, user with password file or environment', () => {
  const files: Record<string, string> = { '/t': `${TOKEN}\n`, '/p': `${PASSWORD}\n`, '/empty': '\n' };
  const read = (path: string) => {
    if (!(path in files)) throw new Error(`ENOENT: ${path}`);
    return files[path];
  };
  assert.deepEqual(resolveAuth({ tokenFile: '/t' }, {}, read), { kind: 'bearer', token: TOKEN });
  assert.deepEqual(resolveAuth({}, { PRESCALE_PROMETHEUS_TOKEN: TOKEN }, read), { kind: 'bearer', token: TOKEN });
  assert.deepEqual(resolveAuth({ user: 'admin', passwordFile: '/p' }, {}, read), {
    kind: 'basic',
    username: 'admin',
    password: PASSWORD,
  });
  assert.deepEqual(resolveAuth({ user: 'admin' }, { PRESCALE_PROMETHEUS_PASSWORD: PASSWORD }, read), {
    kind: 'basic',
    username: 'admin',
    password: PASSWORD,
  });
  assert.equal(resolveAuth({}, {}, read), undefined);
  const refused: Array<[Parameters<typeof resolveAuth>[0], RegExp]> = [
    [{ tokenFile: '/missing' }, /--prometheus-token-file \/missing: cannot read/],
    [{ tokenFile: '/empty' }, /--prometheus-token-file \/empty: the file is empty/],
    [{ passwordFile: '/p' }, /--prometheus-password-file needs --prometheus-user/],
    [{ user: 'admin', tokenFile: '/t' }, /give one of them/],
  ];
  for (const [settings, msg] of refused) {
    assert.throws(
      () => resolveAuth(settings, {}, read),
      (e: unknown) => isPrescaleError(e, 'E_INPUT') && msg.test(e.message),
    );
  }
});

test('an answer that stops arriving before the timeout is E_SOURCE_UNREACHABLE (slow), not malformed data', async () => {
  const stalling = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"]');
  });
  await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
  try {
    const source = new PrometheusSource({ url, timeoutMs: 200, retries: 0 });
    await assert.rejects(
      query(source),
      (e: unknown) => isPrescaleError(e, 'E_SOURCE_UNREACHABLE') && /timed out sending its answer/.test(e.message),
    );
  } finally {
    stalling.closeAllConnections();
    await new Promise<void>((resolve) => stalling.close(() => resolve()));
  }
});

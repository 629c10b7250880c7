/**
 * The settings of `prescale serve`: one table for flags, PRESCALE_* variables, the config file
 * and the README; `--print-config` as a user runs it (the built CLI).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildProgram } from '../../../src/cli/main.js';
import { serveSettings } from '../../../src/cli/serve.js';
import { SERVE_ACTION_FLAGS, SERVE_SETTINGS, serveSettingsTable } from '../../../src/cli/serve-settings.js';
import { markdown, readmeTable } from '../config/readme-table.js';

const dir = mkdtempSync(join(tmpdir(), 'prescale-settings-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('serve: every flag is a setting with a PRESCALE_* variable, and every setting with a flag is a flag', () => {
  const serve = buildProgram().commands.find((c) => c.name() === 'serve');
  assert.ok(serve);
  const flags = serve.options.map((o) => o.long ?? '').filter((f) => !SERVE_ACTION_FLAGS.includes(f));
  const settingFlags = SERVE_SETTINGS.flatMap((s) => (s.flag ? [s.flag.split(' ')[0]] : []));
  assert.deepEqual([...flags].sort(), [...settingFlags].sort());
  const vars = SERVE_SETTINGS.map((s) => s.env);
  assert.equal(new Set(vars).size, vars.length);
  for (const v of vars) assert.match(v, /^PRESCALE_[A-Z_]+$/);
  for (const s of SERVE_SETTINGS.filter((x) => x.flag)) {
    const attr: string | undefined = serve.options.find((o) => o.long === s.flag?.split(' ')[0])?.attributeName();
    assert.equal(attr, s.key, `${s.flag}: key`);
  }
});

test('README: the configuration table is SERVE_SETTINGS (fix the README with the table printed below)', () => {
  const want = serveSettingsTable();
  const got = readmeTable('Running it in your swarm', want[0]);
  assert.deepEqual(got, want, `README.md, "Running it in your swarm", should hold:\n\n${markdown(want)}\n`);
});

test('serve settings: flag over variable over config file over default, the config file from PRESCALE_CONFIG', () => {
  const config = write(
    'p.yaml',
    'stateDir: /from/file\nprometheus: http://file:9090\ncycle:\n  schedule: "*/5 * * * *"\n',
  );
  const token = write('token', 'from-the-secret-file\n');
  const { settings, resolved } = serveSettings(
    { port: 9000 },
    {
      PRESCALE_CONFIG: config,
      PRESCALE_PORT: '7000',
      PRESCALE_PROMETHEUS: 'http://env:9090',
      PRESCALE_APPLY: 'true',
      PRESCALE_API_TOKEN_FILE: token,
    },
  );
  assert.equal(settings.port, 9000);
  assert.equal(resolved.port.source, 'flag');
  assert.equal(settings.prometheus, 'http://env:9090');
  assert.equal(settings.stateDir, '/from/file');
  assert.deepEqual(resolved.stateDir, { value: '/from/file', source: 'file', from: `${config}: stateDir` });
  assert.equal(settings.schedule, '*/5 * * * *');
  assert.equal(settings.apply, true);
  assert.equal(settings.apiToken, 'from-the-secret-file');
  assert.equal(settings.host, '0.0.0.0');
  assert.equal(resolved.host.source, 'default');
  // --embedded keeps no state unless a directory is asked for
  assert.equal(serveSettings({ embedded: true }, {}).settings.stateDir, undefined);
  assert.equal(serveSettings({}, { PRESCALE_EMBEDDED: '1', PRESCALE_STATE_DIR: dir }).settings.stateDir, dir);
});

function cli(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PRESCALE_')));
  return spawnSync(process.execPath, ['bin/prescale.js', ...args], { encoding: 'utf8', env: { ...clean, ...env } });
}

test('serve --print-config prints each setting, secrets hidden, and where it came from, then exits 0', () => {
  const config = write('print.yaml', 'stateDir: /var/lib/prescale\n');
  const token = write('api-token', 'a-secret-api-token\n');
  const r = cli(['serve', '--print-config', '--port', '9100', '--config', config], {
    PRESCALE_PROMETHEUS: 'http://admin:hunter2@prometheus:9090',
    PRESCALE_API_TOKEN_FILE: token,
    PRESCALE_PROMETHEUS_TOKEN: 'a-bearer-secret',
    PRESCALE_LOCK_TTL: '45',
  });
  assert.equal(r.status, 0, r.stderr);
  const rows = Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s{2,}/))
      .map(([name, ...rest]) => [name, rest]),
  );
  assert.deepEqual(rows.port, ['9100', 'flag --port']);
  assert.deepEqual(rows.prometheus, ['http://***:***@prometheus:9090', 'env PRESCALE_PROMETHEUS']);
  assert.deepEqual(rows['api-token'], ['***', 'env PRESCALE_API_TOKEN_FILE']);
  assert.deepEqual(rows['prometheus-token'], ['***', 'env PRESCALE_PROMETHEUS_TOKEN']);
  assert.deepEqual(rows['state-dir'], ['/var/lib/prescale', `file ${config}: stateDir`]);
  assert.deepEqual(rows['lock-ttl'], ['45', 'env PRESCALE_LOCK_TTL']);
  assert.deepEqual(rows.host, ['0.0.0.0', 'default']);
  assert.doesNotMatch(r.stdout, /hunter2|a-secret-api-token|a-bearer-secret/);
});

test('serve: an invalid variable names it and exits 2, before anything starts', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PRESCALE_PORT: 'http' }, /PRESCALE_PORT="http": not a number/],
    [{ PRESCALE_APPLY: 'sure' }, /PRESCALE_APPLY="sure": not a boolean/],
    [{ PRESCALE_SCHEDULE: 'hourly' }, /PRESCALE_SCHEDULE="hourly": not a cron expression/],
    [{ PRESCALE_API_TOKEN: 'short' }, /PRESCALE_API_TOKEN: shorter than 8 characters/],
    [{ PRESCALE_API_TOKEN_FILE: join(dir, 'missing') }, /PRESCALE_API_TOKEN_FILE=.*missing: cannot read the file/],
  ];
  for (const [env, msg] of bad) {
    const r = cli(['serve', '--print-config'], env);
    assert.equal(r.status, 2, `${JSON.stringify(env)}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  assert.doesNotMatch(cli(['serve', '--print-config'], { PRESCALE_API_TOKEN: 'short' }).stderr, /short\b"/);
});

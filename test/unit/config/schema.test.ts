import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLabels } from '../../../src/config/labels.js';
import { loadConfig, loadPolicyFile, parseConfig, settingsTable } from '../../../src/config/schema.js';
import { isPrescaleError } from '../../../src/core/domain/errors.js';
import { markdown, readmeTable } from './readme-table.js';

const dir = mkdtempSync(join(tmpdir(), 'prescale-schema-'));
let files = 0;
function yamlFile(text: string): string {
  const path = join(dir, `c${files++}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** The E_CONFIG message of a failing call, or undefined when it succeeds. */
function configError(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    assert.ok(isPrescaleError(e, 'E_CONFIG'), String(e));
    return e.message;
  }
}

// label → YAML key, written out here (not read from the table) so that the two are checked apart
const KEYS: Array<[string, string]> = [
  ['prescale.capacity', 'capacity'],
  ['prescale.min', 'min'],
  ['prescale.max', 'max'],
  ['prescale.startup-delay', 'startupDelay'],
  ['prescale.quantile', 'quantile'],
  ['prescale.target-utilization', 'targetUtilization'],
  ['prescale.headroom', 'headroom'],
  ['prescale.margin-scale', 'marginScale'],
  ['prescale.auto-tune', 'autoTune'],
  ['prescale.max-step-up', 'maxStepUp'],
  ['prescale.max-step-down', 'maxStepDown'],
  ['prescale.stabilization', 'stabilization'],
  ['prescale.cooldown', 'cooldown'],
  ['prescale.max-forecast-error', 'maxForecastError'],
  ['prescale.model', 'model'],
  ['prescale.query', 'query'],
];
const RAW = [
  '0',
  '1',
  '0.5',
  '150',
  '0x10',
  '1e3',
  '-1',
  ' 5 ',
  'Infinity',
  '',
  '1.5',
  '5m',
  '2d',
  'TRUE',
  'p50',
  '100001',
];

test('config and labels accept exactly the same values, with the same error', () => {
  for (const [label, key] of KEYS) {
    for (const raw of RAW) {
      const fromLabel = parseLabels({ [label]: raw });
      // unquoted, as an operator writes it (quoted only where YAML would drop the spaces)
      const yaml = raw.trim() === raw && raw !== '' ? raw : `'${raw}'`;
      const path = yamlFile(`services:\n  - name: web\n    ${key}: ${yaml}\n`);
      const err = configError(() => loadConfig(path));
      const what = `${label}=${JSON.stringify(raw)} against ${key}`;
      if (fromLabel.errors.length === 0) {
        assert.equal(err, undefined, what);
        const entry = loadConfig(path).services[0] as Record<string, unknown>;
        assert.deepEqual(Object.values(fromLabel.overrides), [entry[key]], what);
      } else {
        assert.equal(err, `${path}: services.0.${key}: ${fromLabel.errors[0].split(': ').slice(1).join(': ')}`, what);
      }
    }
  }
});

test('config: YAML numbers are plain decimals, as in labels (0x10 is not 16)', () => {
  const path = yamlFile('defaults: { capacity: 0x10, max: 1e3, min: .inf }\n');
  const err = configError(() => loadConfig(path)) ?? '';
  assert.match(err, /: defaults\.capacity: not a positive number$/m);
  assert.match(err, /: defaults\.max: not a whole number >= 1$/m);
  assert.match(err, /: defaults\.min: not a whole number >= 0$/m);
});

test('config: policy durations take seconds or 90s/5m/1h/1d, up to a day', () => {
  const ok = loadConfig(yamlFile('defaults: { startupDelay: 5m, stabilization: 1800, cooldown: 1.5 }\n'));
  assert.equal(ok.defaults.startupDelay, 300);
  assert.equal(ok.defaults.stabilization, 1800);
  assert.equal(ok.defaults.cooldown, 1.5);
  const err = configError(() => parseConfig({ defaults: { startupDelay: 86_401 } }, 'c.yaml'));
  assert.equal(err, 'c.yaml: defaults.startupDelay: above the limit of 1d');
});

test('config: max below min in one entry names the entry', () => {
  const err = configError(() => parseConfig({ services: [{ name: 'web', min: 5, max: 2 }] }, 'c.yaml'));
  assert.equal(err, 'c.yaml: services.0.max: below min (5)');
});

test('config: the cycle settings have maxima (a huge horizon or history is refused, not run)', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ horizon: 1e12 }, 'cycle.horizon: above the limit of 2d'],
    [{ history: 1e15 }, 'cycle.history: above the limit of 90d'],
    [{ step: 3601 }, 'cycle.step: above the limit of 1h'],
    [{ step: 0 }, 'cycle.step: below the minimum of 1s'],
    [{ step: 1.5 }, 'cycle.step: not a duration in whole seconds (e.g. 90, 90s, 5m, 1h)'],
    [{ refit: 8 * 86_400 }, 'cycle.refit: above the limit of 7d'],
    [{ backtestFit: 8 * 86_400 }, 'cycle.backtestFit: above the limit of 7d'],
    [{ backtestFit: 0 }, 'cycle.backtestFit: below the minimum of 1s'],
    [{ fetchConcurrency: 0 }, 'cycle.fetchConcurrency: not a whole number >= 1'],
    [{ fetchConcurrency: 257 }, 'cycle.fetchConcurrency: above the limit of 256'],
    [{ applyConcurrency: 65 }, 'cycle.applyConcurrency: above the limit of 64'],
    [{ cpuThreads: 65 }, 'cycle.cpuThreads: above the limit of 64'],
    [{ cpuThreads: -1 }, 'cycle.cpuThreads: not a whole number >= 0'],
    [{ cpuTasks: 5000 }, 'cycle.cpuTasks: above the limit of 4,096'],
    [{ serviceDeadline: '11m' }, 'cycle.serviceDeadline: above the limit of 10m'],
    [
      { step: 10, history: 90 * 86_400 },
      'cycle.history: history / step is 777,600 samples, above the limit of 200,000: shorten the history or lengthen the step',
    ],
  ];
  for (const [cycle, msg] of cases) {
    assert.equal(
      configError(() => parseConfig({ cycle }, 'c.yaml')),
      `c.yaml: ${msg}`,
      JSON.stringify(cycle),
    );
  }
  const most = parseConfig(
    { cycle: { step: 60, history: 90 * 86_400, horizon: 2 * 86_400, refit: 7 * 86_400, backtestFit: 7 * 86_400 } },
    'c',
  );
  assert.deepEqual(
    { ...most.cycle },
    {
      step: 60,
      history: 90 * 86_400,
      horizon: 2 * 86_400,
      refit: 7 * 86_400,
      backtestFit: 7 * 86_400,
      historyGrace: 7 * 86_400,
      schedule: '* * * * *',
      serviceDeadline: 30,
      fetchConcurrency: 8,
      applyConcurrency: 4,
      cpuTasks: 32,
    },
  );
  const text = loadConfig(
    yamlFile(
      "cycle: { step: 1m, history: 14d, horizon: 2h, refit: 1h, backtestFit: 6h, historyGrace: 2d, schedule: '*/5 * * * *' }\n",
    ),
  );
  assert.deepEqual(
    { ...text.cycle },
    {
      step: 60,
      history: 14 * 86_400,
      horizon: 7200,
      refit: 3600,
      backtestFit: 6 * 3600,
      historyGrace: 2 * 86_400,
      schedule: '*/5 * * * *',
      serviceDeadline: 30,
      fetchConcurrency: 8,
      applyConcurrency: 4,
      cpuTasks: 32,
    },
  );
});

test('config: a bad cron schedule is refused when the config is read, not when the scheduler starts', () => {
  for (const schedule of ['every minute', '61 * * * *', '* * * *', '0 0 31 2 *']) {
    const err = configError(() => parseConfig({ cycle: { schedule } }, 'c.yaml'));
    assert.match(err ?? '', /^c\.yaml: cycle\.schedule: ".*" is not a cron expression/, schedule);
  }
  assert.equal(parseConfig({ cycle: { schedule: '*/10 * * * * *' } }, 'c').cycle.schedule, '*/10 * * * * *');
});

test('config: the API token is at least 8 printable ASCII characters', () => {
  assert.equal(
    configError(() => parseConfig({ apiToken: 'short' }, 'c.yaml')),
    'c.yaml: apiToken: shorter than 8 characters',
  );
  assert.match(
    configError(() => parseConfig({ apiToken: 'pässwörter' }, 'c.yaml')) ?? '',
    /apiToken: not printable ASCII/,
  );
  assert.equal(parseConfig({ apiToken: 'a-good-token' }, 'c').apiToken, 'a-good-token');
});

test('config: a parsed config parses again to itself (serve re-parses with flags applied)', () => {
  const once = loadConfig(
    yamlFile(
      'apiToken: abcdefgh\ndefaults: { startupDelay: 3m, autoTune: false }\nservices:\n  - { name: web, capacity: 150, max: 30 }\n',
    ),
  );
  assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(once)), 'again'), once);
  assert.equal(once.defaults.autoTune, false);
  assert.equal(once.services[0].capacity, 150);
});

test('policy file: same keys and parsers as defaults, errors name the file and key', () => {
  const ok = loadPolicyFile(yamlFile('startupDelay: 2m\nmaxForecastError: 0.7\nmodel: hw\n'));
  assert.deepEqual({ ...ok }, { startupDelay: 120, maxForecastError: 0.7, model: 'hw' });
  const path = yamlFile('maxStepUp: 0\n');
  assert.equal(
    configError(() => loadPolicyFile(path)),
    `${path}: maxStepUp: not a whole number >= 1`,
  );
  const missing = join(dir, 'none.yaml');
  assert.equal(
    configError(() => loadPolicyFile(missing)),
    `${missing}: cannot read the policy file (ENOENT)`,
  );
});

test('config: errors name the file and the field', () => {
  const path = yamlFile('services:\n  - name: web\n    capacity: lots\n');
  assert.equal(
    configError(() => loadConfig(path)),
    `${path}: services.0.capacity: not a positive number`,
  );
  assert.match(configError(() => loadConfig(yamlFile('cycle: {step: 60, stpe: 5}\n'))) ?? '', /cycle: .*stpe/);
  assert.match(configError(() => loadConfig(yamlFile('a: [\n'))) ?? '', /not valid YAML/);
  const dflt = loadConfig(undefined);
  assert.equal(dflt.cycle.step, 60);
  assert.ok(Object.isFrozen(dflt.cycle));
});

test('README: the table of cycle settings is the schema', () => {
  const want = settingsTable();
  const got = readmeTable('Opting a service in', want[0]);
  assert.deepEqual(got, want, `README.md, "Opting a service in", should hold:\n\n${markdown(want)}\n`);
});

test('policy file: the miss budget targetUnserved, a percentage of demand, bounded where it enters', () => {
  assert.deepEqual({ ...loadPolicyFile(yamlFile('targetUnserved: 0.1\n')) }, { targetUnserved: 0.1 });
  const path = yamlFile('targetUnserved: 150\n');
  assert.equal(
    configError(() => loadPolicyFile(path)),
    `${path}: targetUnserved: not a percentage in [0, 100]`,
  );
});

test('policy file: the miss price missPrice, a number >= 0, bounded where it enters', () => {
  assert.deepEqual({ ...loadPolicyFile(yamlFile('missPrice: 2\n')) }, { missPrice: 2 });
  assert.deepEqual({ ...loadPolicyFile(yamlFile('missPrice: 0\n')) }, { missPrice: 0 });
  const path = yamlFile('missPrice: -1\n');
  assert.equal(
    configError(() => loadPolicyFile(path)),
    `${path}: missPrice: not a number >= 0`,
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { numberArg, urlArg } from '../../../src/cli/options.js';
import { isPrescaleError } from '../../../src/core/domain/errors.js';
import {
  booleanArg,
  printSettings,
  resolveSetting,
  resolveSettings,
  type Setting,
  type SettingInputs,
} from '../../../src/config/settings.js';

const PORT: Setting = {
  key: 'port',
  flag: '--port <port>',
  env: 'X_PORT',
  parse: numberArg({ integer: true, min: 0, max: 65535 }),
  configKey: 'port',
  fromConfig: ((c: { port?: string }) => c.port) as (c: never) => unknown,
  default: 8080,
  description: 'port',
};
const TOKEN: Setting = {
  key: 'token',
  env: 'X_TOKEN',
  envFile: true,
  secret: true,
  description: 'token',
};
const APPLY: Setting = {
  key: 'apply',
  flag: '--apply',
  env: 'X_APPLY',
  boolean: true,
  default: false,
  description: 'a',
};
const URL_SETTING: Setting = {
  key: 'url',
  flag: '--url <url>',
  env: 'X_URL',
  parse: urlArg,
  show: (u) => String(u).replace(/\/\/[^@]*@/, '//***@'),
  description: 'u',
};

const files: Record<string, string> = { '/run/secrets/token': 'from-the-file\n', '/empty': '\n' };
const inputs = (over: Partial<SettingInputs> = {}): SettingInputs => ({
  flags: {},
  env: {},
  read: (p) => {
    if (!(p in files)) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    return files[p];
  },
  ...over,
});
const refused = (f: () => unknown, msg: string) =>
  assert.throws(f, (e: unknown) => isPrescaleError(e, 'E_CONFIG') && e.message === msg);

const precedence: Array<[string, Partial<SettingInputs>, number, string, string]> = [
  ['default', {}, 8080, 'default', 'default'],
  ['file over default', { config: { port: '81' }, configWhere: 'p.yaml' }, 81, 'file', 'p.yaml: port'],
  ['env over file', { env: { X_PORT: '82' }, config: { port: '81' } }, 82, 'env', 'X_PORT'],
  ['flag over env', { flags: { port: 83 }, env: { X_PORT: '82' }, config: { port: '81' } }, 83, 'flag', '--port'],
  ['an empty variable is unset', { env: { X_PORT: '' }, config: { port: '81' } }, 81, 'file', '(config): port'],
];
for (const [name, over, value, source, from] of precedence) {
  test(`settings precedence: ${name}`, () => {
    assert.deepEqual(resolveSetting(PORT, inputs(over)), { value, source, from });
  });
}

test('settings: an invalid variable or config value names it, with the value', () => {
  refused(() => resolveSetting(PORT, inputs({ env: { X_PORT: 'eighty' } })), 'X_PORT="eighty": not a number');
  refused(() => resolveSetting(PORT, inputs({ env: { X_PORT: '70000' } })), 'X_PORT="70000": must be at most 65535');
  refused(
    () => resolveSetting(PORT, inputs({ config: { port: '-1' }, configWhere: 'p.yaml' })),
    'p.yaml: port="-1": must be at least 0',
  );
  refused(
    () => resolveSetting(APPLY, inputs({ env: { X_APPLY: 'maybe' } })),
    'X_APPLY="maybe": not a boolean (true or false)',
  );
});

test('settings: a boolean variable takes true/false, 1/0, yes/no, on/off', () => {
  for (const t of ['true', 'TRUE', '1', 'yes', 'on']) assert.equal(booleanArg(t), true);
  for (const t of ['false', 'False', '0', 'no', 'off']) assert.equal(booleanArg(t), false);
  assert.equal(resolveSetting(APPLY, inputs({ env: { X_APPLY: 'false' } })).value, false);
  assert.equal(resolveSetting(APPLY, inputs({ env: { X_APPLY: 'true' } })).value, true);
});

test('settings: a secret from *_FILE, its trailing newline dropped; both set, unreadable or empty is refused', () => {
  assert.deepEqual(resolveSetting(TOKEN, inputs({ env: { X_TOKEN_FILE: '/run/secrets/token' } })), {
    value: 'from-the-file',
    source: 'env',
    from: 'X_TOKEN_FILE',
  });
  assert.equal(resolveSetting(TOKEN, inputs({ env: { X_TOKEN: 'from-the-env' } })).value, 'from-the-env');
  refused(
    () => resolveSetting(TOKEN, inputs({ env: { X_TOKEN: 'a', X_TOKEN_FILE: '/run/secrets/token' } })),
    'X_TOKEN and X_TOKEN_FILE: give one of them',
  );
  refused(
    () => resolveSetting(TOKEN, inputs({ env: { X_TOKEN_FILE: '/nope' } })),
    'X_TOKEN_FILE=/nope: cannot read the file (ENOENT)',
  );
  refused(
    () => resolveSetting(TOKEN, inputs({ env: { X_TOKEN_FILE: '/empty' } })),
    'X_TOKEN_FILE=/empty: the file is empty',
  );
  // a setting without envFile does not read X_PORT_FILE
  assert.equal(resolveSetting(PORT, inputs({ env: { X_PORT_FILE: '/run/secrets/token' } })).source, 'default');
});

test('settings: an invalid secret is named without its value', () => {
  const strict: Setting = {
    ...TOKEN,
    parse: (t) => {
      if (t.length < 8) throw new InvalidArgumentError('shorter than 8 characters');
      return t;
    },
  };
  refused(() => resolveSetting(strict, inputs({ env: { X_TOKEN: 'hunter2' } })), 'X_TOKEN: shorter than 8 characters');
});

test('print: secrets as ***, URLs through their show, nothing as (none), and where each came from', () => {
  const table = [PORT, TOKEN, APPLY, URL_SETTING];
  const r = resolveSettings(
    table,
    inputs({
      flags: { url: 'http://admin:hunter2@prom:9090' },
      env: { X_TOKEN_FILE: '/run/secrets/token', X_APPLY: 'yes' },
    }),
  );
  const text = printSettings(table, r);
  const lines = text
    .trim()
    .split('\n')
    .map((l) => l.split(/\s{2,}/));
  assert.deepEqual(lines, [
    ['setting', 'value', 'from'],
    ['port', '8080', 'default'],
    ['token', '***', 'env X_TOKEN_FILE'],
    ['apply', 'true', 'env X_APPLY'],
    ['url', 'http://***@prom:9090', 'flag --url'],
  ]);
  assert.doesNotMatch(text, /hunter2|from-the-file/);
  assert.match(printSettings([TOKEN], resolveSettings([TOKEN], inputs())), /token +\(none\) +default/);
});

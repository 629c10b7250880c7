import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiTokenFrom } from '../../../src/config/api-token.js';
import { parseConfig } from '../../../src/config/schema.js';
import { isPrescaleError } from '../../../src/core/domain/errors.js';

const configured = parseConfig({ apiToken: 'from-the-config' }, 'c.yaml');

function refused(f: () => unknown, msg: string): void {
  assert.throws(f, (e: unknown) => isPrescaleError(e, 'E_CONFIG') && e.message === msg);
}

test('token: PRESCALE_API_TOKEN wins over the config, which is used when the variable is unset', () => {
  assert.equal(apiTokenFrom({ PRESCALE_API_TOKEN: 'from-the-env' }, configured), 'from-the-env');
  assert.equal(apiTokenFrom({}, configured), 'from-the-config');
  assert.equal(apiTokenFrom({}, parseConfig({}, 'x')), undefined);
});

test('token: an empty PRESCALE_API_TOKEN= is unset, it does not switch off the configured token', () => {
  assert.equal(apiTokenFrom({ PRESCALE_API_TOKEN: '' }, configured), 'from-the-config');
  assert.equal(apiTokenFrom({ PRESCALE_API_TOKEN: '' }, parseConfig({}, 'x')), undefined);
});

test('token: the variable obeys the config rule: at least 8 characters', () => {
  refused(() => apiTokenFrom({ PRESCALE_API_TOKEN: 'x' }, configured), 'PRESCALE_API_TOKEN: shorter than 8 characters');
  refused(
    () => apiTokenFrom({ PRESCALE_API_TOKEN: 'x'.repeat(1025) }, configured),
    'PRESCALE_API_TOKEN: longer than 1024 characters',
  );
  assert.equal(apiTokenFrom({ PRESCALE_API_TOKEN: '12345678' }, configured), '12345678');
});

test('token: a token no header can carry (non-ASCII, spaces) is refused with the variable named', () => {
  const msg = 'PRESCALE_API_TOKEN: not printable ASCII (letters, digits and punctuation; no spaces)';
  refused(() => apiTokenFrom({ PRESCALE_API_TOKEN: 'geheimnisß' }, configured), msg);
  refused(() => apiTokenFrom({ PRESCALE_API_TOKEN: 'secret token' }, configured), msg);
  refused(() => apiTokenFrom({ PRESCALE_API_TOKEN: 'secret-token\n' }, configured), msg);
});

test('token: a config built without the schema is held to the same rule, naming where it came from', () => {
  refused(() => apiTokenFrom({}, { apiToken: 'short' }, 'c.yaml'), 'c.yaml: apiToken: shorter than 8 characters');
});

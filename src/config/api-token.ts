import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { resolveSetting, type Setting } from './settings.js';

/** The variable the API token is read from; it wins over the config's `apiToken:`. */
export const API_TOKEN_ENV = 'PRESCALE_API_TOKEN';

/** Bounds of an API token, characters. */
export const API_TOKEN_LIMITS = Object.freeze({ min: 8, max: 1024 });

/**
 * What is wrong with a token, or undefined when it is fine: the one rule for the config and the
 * environment. Visible ASCII only (`!` … `~`): a header carries bytes, so a token in another
 * script can never match what a client sends, and HTTP strips the spaces around a header value.
 */
export function apiTokenProblem(token: string): string | undefined {
  if (token.length < API_TOKEN_LIMITS.min) return `shorter than ${API_TOKEN_LIMITS.min} characters`;
  if (token.length > API_TOKEN_LIMITS.max) return `longer than ${API_TOKEN_LIMITS.max} characters`;
  if (!/^[\x21-\x7e]+$/.test(token)) return 'not printable ASCII (letters, digits and punctuation; no spaces)';
  return undefined;
}

/** The token as a setting's parser: InvalidArgumentError saying what is wrong. */
export function apiTokenArg(text: string): string {
  const problem = apiTokenProblem(text);
  if (problem) throw new InvalidArgumentError(problem);
  return text;
}

/** The API token as a setting: `PRESCALE_API_TOKEN`, else the file `PRESCALE_API_TOKEN_FILE` names, else the config's. */
export const API_TOKEN_SETTING: Setting<string> = Object.freeze({
  key: 'apiToken',
  env: API_TOKEN_ENV,
  envFile: true,
  secret: true,
  parse: apiTokenArg,
  configKey: 'apiToken',
  fromConfig: ((c: { readonly apiToken?: string }) => c.apiToken) as (c: never) => string | undefined,
  defaultText: 'none (applying and masks through the API are off)',
  description: 'bearer token of `POST /v1/services/{name}/apply` and `/exclude`',
});

/**
 * The API token in force: `PRESCALE_API_TOKEN` (or the file `PRESCALE_API_TOKEN_FILE` names, a
 * Docker secret) when set, else the config's `apiToken:`, else none (applying through the API is
 * off). An empty variable counts as unset, so that it does not silently switch off a configured
 * token. Throws E_CONFIG naming the variable, or `where` (the config file) and `apiToken`, when
 * the token in force breaks the rule, or when both variables are set.
 */
export function apiTokenFrom(
  env: Readonly<Record<string, string | undefined>>,
  config: { readonly apiToken?: string },
  where = '(config)',
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): string | undefined {
  return resolveSetting(API_TOKEN_SETTING, { flags: {}, env, config, configWhere: where, read }).value;
}

import { PrescaleError } from '../core/domain/errors.js';

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

/**
 * The API token in force: `PRESCALE_API_TOKEN` when set, else the config's `apiToken:`, else none
 * (applying through the API is off). An empty `PRESCALE_API_TOKEN=` counts as unset, so that it
 * does not silently switch off a configured token. Throws E_CONFIG naming the variable, or
 * `where` (the config file) and `apiToken`, when the token in force breaks the rule.
 */
export function apiTokenFrom(
  env: Readonly<Record<string, string | undefined>>,
  config: { readonly apiToken?: string },
  where = '(config)',
): string | undefined {
  const fromEnv = env[API_TOKEN_ENV];
  const [token, name] =
    fromEnv === undefined || fromEnv === '' ? [config.apiToken, `${where}: apiToken`] : [fromEnv, API_TOKEN_ENV];
  const problem = token === undefined ? undefined : apiTokenProblem(token);
  if (problem) throw new PrescaleError('E_CONFIG', `${name}: ${problem}`);
  return token;
}

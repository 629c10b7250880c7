import { PrescaleError } from '../../../core/domain/errors.js';

/**
 * Credentials for Prometheus, as Prometheus's own clients take them (`basic_auth` and
 * `authorization` of its http_config): sent in the Authorization header, never in the URL
 * (WHATWG fetch refuses a URL with credentials) and never shown.
 * https://prometheus.io/docs/prometheus/latest/configuration/https/
 */
export type PrometheusAuth =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

/** The Authorization header value of `auth` (RFC 7617 basic, RFC 6750 bearer). */
export function authorizationHeader(auth: PrometheusAuth): string {
  return auth.kind === 'basic'
    ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
    : `Bearer ${auth.token}`;
}

/** Placeholder for a secret in whatever is shown (messages, logs, the API). */
const HIDDEN = '***';

/**
 * A URL as it may be shown: its password (and a username given with it) replaced by `***`,
 * and so are the values of query parameters that look like secrets. Text that is not a URL has
 * anything between `//` and `@` hidden. The one way prescale shows a URL.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(/\/\/[^/@\s]*@/g, `//${HIDDEN}@`);
  }
  if (url.username) url.username = HIDDEN;
  if (url.password) url.password = HIDDEN;
  for (const key of [...url.searchParams.keys()]) {
    if (/token|password|secret|key|auth/i.test(key)) url.searchParams.set(key, HIDDEN);
  }
  return url.href.replace(/\/$/, '');
}

/**
 * Splits a base URL into the URL to request (no credentials, no trailing slash) and the basic
 * auth of its userinfo, if any (percent-decoded, as a browser sends it).
 */
export function splitCredentials(text: string): { base: string; auth?: PrometheusAuth } {
  const url = new URL(text);
  const auth: PrometheusAuth | undefined =
    url.username || url.password
      ? {
          kind: 'basic',
          username: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
        }
      : undefined;
  url.username = '';
  url.password = '';
  return { base: url.href.replace(/\/+$/, ''), ...(auth && { auth }) };
}

/** Where credentials may come from besides the URL: flags (files) and the environment. */
export interface AuthSettings {
  /** `--prometheus-user`: basic auth user; the password from passwordFile or PRESCALE_PROMETHEUS_PASSWORD. */
  readonly user?: string;
  /** `--prometheus-password-file`. */
  readonly passwordFile?: string;
  /** `--prometheus-token-file`: a bearer token; else PRESCALE_PROMETHEUS_TOKEN. */
  readonly tokenFile?: string;
}

/** Environment variables read for credentials. */
export const AUTH_ENV = { token: 'PRESCALE_PROMETHEUS_TOKEN', password: 'PRESCALE_PROMETHEUS_PASSWORD' } as const;

/**
 * The credentials the settings and environment give, or undefined. A file is read once, its
 * trailing newline dropped; an unreadable or empty file, a password without a user, or both a
 * user and a token are E_INPUT naming the flag.
 */
export function resolveAuth(
  s: AuthSettings,
  env: Readonly<Record<string, string | undefined>>,
  read: (path: string) => string,
): PrometheusAuth | undefined {
  const fromFile = (flag: string, path: string): string => {
    let text: string;
    try {
      text = read(path);
    } catch (err) {
      throw new PrescaleError('E_INPUT', `${flag} ${path}: cannot read`, { cause: err });
    }
    const value = text.replace(/\r?\n$/, '');
    if (!value) throw new PrescaleError('E_INPUT', `${flag} ${path}: the file is empty`);
    return value;
  };
  const token = s.tokenFile !== undefined ? fromFile('--prometheus-token-file', s.tokenFile) : env[AUTH_ENV.token];
  if (s.user !== undefined) {
    if (s.tokenFile !== undefined)
      throw new PrescaleError('E_INPUT', '--prometheus-user and --prometheus-token-file: give one of them');
    const password =
      s.passwordFile !== undefined
        ? fromFile('--prometheus-password-file', s.passwordFile)
        : (env[AUTH_ENV.password] ?? '');
    return { kind: 'basic', username: s.user, password };
  }
  if (s.passwordFile !== undefined)
    throw new PrescaleError('E_INPUT', '--prometheus-password-file needs --prometheus-user');
  return token ? { kind: 'bearer', token } : undefined;
}

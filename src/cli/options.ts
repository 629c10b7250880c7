import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import cron from 'node-cron';
import { AUTH_ENV, resolveAuth, type PrometheusAuth } from '../adapters/sources/prometheus/auth.js';

/**
 * Parsers for command-line values. Commander reports an InvalidArgumentError with the flag's
 * name ("option '--step <seconds>' argument 'x' is invalid. ...") and the CLI exits with code 2.
 */

/** A finite number, optionally bounded and integer. */
export function numberArg(opts: { min?: number; max?: number; integer?: boolean; positive?: boolean } = {}) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError('not a number.');
    if (opts.integer && !Number.isInteger(v)) throw new InvalidArgumentError('not a whole number.');
    if (opts.positive && !(v > 0)) throw new InvalidArgumentError('must be greater than 0.');
    if (opts.min !== undefined && v < opts.min) throw new InvalidArgumentError(`must be at least ${opts.min}.`);
    if (opts.max !== undefined && v > opts.max) throw new InvalidArgumentError(`must be at most ${opts.max}.`);
    return v;
  };
}

/** An http(s) URL. */
export function urlArg(text: string): string {
  try {
    const u = new URL(text);
    if (u.protocol === 'http:' || u.protocol === 'https:') return text;
  } catch {
    // fall through
  }
  throw new InvalidArgumentError('not an http(s) URL.');
}

/** A cron expression node-cron accepts (the schedule of the planning cycle). */
export function cronArg(text: string): string {
  if (!text.trim() || !cron.validate(text)) {
    throw new InvalidArgumentError('not a cron expression (e.g. "* * * * *": every minute).');
  }
  return text;
}

/** A directory, or a path where one can be made: an existing file is refused. */
export function dirArg(text: string): string {
  if (!text.trim()) throw new InvalidArgumentError('empty path.');
  let st;
  try {
    st = statSync(text);
  } catch {
    return text; // made when first needed
  }
  if (!st.isDirectory()) throw new InvalidArgumentError('exists and is not a directory.');
  return text;
}

/** A non-empty string (an option given as '' is a mistake, not "the default"). */
export function nonEmptyArg(text: string): string {
  if (!text.trim()) throw new InvalidArgumentError('empty.');
  return text;
}

/** An address to listen on: an IPv4 or IPv6 address, or a host name. */
export function hostArg(text: string): string {
  if (isIP(text) || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(text)) return text;
  throw new InvalidArgumentError('not an IP address or host name.');
}

/** The credential flags of a command that reads Prometheus (see resolveAuth). */
export interface AuthFlags {
  readonly prometheusUser?: string;
  readonly prometheusPasswordFile?: string;
  readonly prometheusTokenFile?: string;
}

/** Adds --prometheus-user, --prometheus-password-file and --prometheus-token-file to `cmd`. */
export function withPrometheusAuth(cmd: Command): Command {
  return cmd
    .option(
      '--prometheus-user <name>',
      `basic auth user for Prometheus; the password from --prometheus-password-file or ${AUTH_ENV.password}`,
      nonEmptyArg,
    )
    .option('--prometheus-password-file <file>', 'file holding the basic auth password')
    .option('--prometheus-token-file <file>', `file holding a bearer token for Prometheus (else ${AUTH_ENV.token})`);
}

/** The Prometheus credentials the flags and the environment give, or undefined. */
export function prometheusAuthOf(
  o: AuthFlags,
  env: Readonly<Record<string, string | undefined>> = process.env,
): PrometheusAuth | undefined {
  return resolveAuth(
    { user: o.prometheusUser, passwordFile: o.prometheusPasswordFile, tokenFile: o.prometheusTokenFile },
    env,
    (path) => readFileSync(path, 'utf8'),
  );
}

import { InvalidArgumentError } from 'commander';

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

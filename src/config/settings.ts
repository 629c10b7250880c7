import { InvalidArgumentError } from 'commander';
import { PrescaleError } from '../core/domain/errors.js';

/**
 * Settings of a long-running command, each given by a flag, an environment variable (the way a
 * container is configured), the config file or its default — in that order of precedence, as
 * twelve-factor apps and Prometheus's own exporters take them. One table of Setting drives the
 * flags, the variables, `--print-config` and the README's table, so that they cannot drift.
 */

/** Where a value came from, most precedent first. */
export const SETTING_SOURCES = ['flag', 'env', 'file', 'default'] as const;
export type SettingSource = (typeof SETTING_SOURCES)[number];

/** One setting. `T` is the parsed value. */
export interface Setting<T = unknown> {
  /** Key of the value (commander's attribute name of the flag, e.g. `stateDir`). */
  readonly key: string;
  /** Commander's flag spec, e.g. `--port <port>`; none for a secret (a command line is visible in `ps`). */
  readonly flag?: string;
  /** The environment variable, `PRESCALE_*`. */
  readonly env: string;
  /** Also read `${env}_FILE`: a file holding the value (a Docker secret is mounted as one). */
  readonly envFile?: boolean;
  /** A value without an argument (`--apply`); the variable takes true/false, 1/0, yes/no. */
  readonly boolean?: boolean;
  /** Text to value; throws InvalidArgumentError saying what is wrong (the flag's parser). */
  readonly parse?: (text: string) => T;
  /** The config file's key, as the README shows it (e.g. `stateDir`). */
  readonly configKey?: string;
  /** The value the config file gives, if it gives one. */
  readonly fromConfig?: (config: never) => T | undefined;
  readonly default?: T;
  /** The default as the README and --help show it, when not the value itself. */
  readonly defaultText?: string;
  /** Never shown: `***` in --print-config, and the value is left out of error messages. */
  readonly secret?: boolean;
  /** How a value is shown (e.g. a URL without its password). */
  show?(value: T): string;
  readonly description: string;
}

/** A value and where it came from: `--port`, `PRESCALE_PORT`, `prescale.yaml: stateDir`, `default`. */
export interface Resolved<T = unknown> {
  readonly value: T | undefined;
  readonly source: SettingSource;
  readonly from: string;
}

/** What settings are resolved from. */
export interface SettingInputs {
  /** Values commander parsed from the command line; a key is present only when its flag was given. */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The config file, parsed, and its path for messages. */
  readonly config?: unknown;
  readonly configWhere?: string;
  /** Reads a `*_FILE` (tests give their own). */
  readonly read: (path: string) => string;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A boolean from a variable's text. */
export function booleanArg(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  throw new InvalidArgumentError('not a boolean (true or false).');
}

/** `${env}_FILE`, the variable naming a file that holds the value. */
export function fileEnvOf(setting: Pick<Setting, 'env'>): string {
  return `${setting.env}_FILE`;
}

/** `text` parsed for `setting`; E_CONFIG naming `name` (and the value, unless secret) when invalid. */
function parsed<T>(setting: Setting<T>, text: string, name: string): T {
  try {
    if (setting.boolean) return booleanArg(text) as T;
    return setting.parse ? setting.parse(text) : (text as T);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    const shown = setting.secret ? '' : `=${JSON.stringify(text)}`;
    throw new PrescaleError('E_CONFIG', `${name}${shown}: ${err.message.replace(/\.$/, '')}`, { cause: err });
  }
}

/** The text of the file `${env}_FILE` names, its trailing newline dropped; E_CONFIG when unreadable or empty. */
function fileValue(name: string, path: string, read: (path: string) => string): string {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PrescaleError('E_CONFIG', `${name}=${path}: cannot read the file${code ? ` (${code})` : ''}`, {
      cause: err,
    });
  }
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw new PrescaleError('E_CONFIG', `${name}=${path}: the file is empty`);
  return value;
}

/** The value of `setting` from the environment (the variable or its `_FILE`), if either is set. */
function fromEnv<T>(setting: Setting<T>, inputs: SettingInputs): Resolved<T> | undefined {
  // an empty variable counts as unset: `VAR=` in a stack file must not switch a setting off
  const direct = inputs.env[setting.env] || undefined;
  const fileName = fileEnvOf(setting);
  const file = setting.envFile ? inputs.env[fileName] || undefined : undefined;
  if (direct !== undefined && file !== undefined)
    throw new PrescaleError('E_CONFIG', `${setting.env} and ${fileName}: give one of them`);
  if (file !== undefined) {
    const text = fileValue(fileName, file, inputs.read);
    return { value: parsed(setting, text, fileName), source: 'env', from: fileName };
  }
  if (direct !== undefined) return { value: parsed(setting, direct, setting.env), source: 'env', from: setting.env };
  return undefined;
}

/** The value of one setting: its flag, else its variable, else the config file, else its default. */
export function resolveSetting<T>(setting: Setting<T>, inputs: SettingInputs): Resolved<T> {
  if (inputs.flags[setting.key] !== undefined && setting.flag)
    return { value: inputs.flags[setting.key] as T, source: 'flag', from: setting.flag.split(/[ ,]/)[0] };
  const env = fromEnv(setting, inputs);
  if (env) return env;
  const configured = inputs.config !== undefined ? setting.fromConfig?.(inputs.config as never) : undefined;
  if (configured !== undefined) {
    const from = `${inputs.configWhere ?? '(config)'}: ${setting.configKey ?? setting.key}`;
    const value = typeof configured === 'string' ? parsed(setting, configured, from) : configured;
    return { value, source: 'file', from };
  }
  return { value: setting.default, source: 'default', from: 'default' };
}

/** Every setting of `table`, by key. */
export function resolveSettings(table: readonly Setting[], inputs: SettingInputs): Record<string, Resolved> {
  return Object.fromEntries(table.map((s) => [s.key, resolveSetting(s, inputs)]));
}

/** A value as it may be shown: secrets as `***`, nothing as `(none)`. */
export function showValue(setting: Setting, value: unknown): string {
  if (value === undefined) return '(none)';
  if (setting.secret) return '***';
  return setting.show ? setting.show(value as never) : String(value);
}

/** The resolved settings as aligned text (setting, value, where it came from), one line each. */
export function printSettings(table: readonly Setting[], resolved: Readonly<Record<string, Resolved>>): string {
  const rows = [
    ['setting', 'value', 'from'],
    ...table.map((s) => {
      const r = resolved[s.key];
      const name = s.flag
        ? s.flag.split(/[ ,]/)[0].replace(/^--/, '')
        : s.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      return [name, showValue(s, r.value), r.source === 'default' ? 'default' : `${r.source} ${r.from}`];
    }),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('  ')).join('\n') + '\n';
}

/**
 * The README's table of settings: flag, variable, config file key, default, meaning.
 * A test fails when the README differs from it.
 */
export function settingsDocTable(table: readonly Setting[]): string[][] {
  const code = (s: string) => `\`${s}\``;
  return [
    ['flag', 'variable', 'config file', 'default', 'meaning'],
    ...table.map((s) => [
      s.flag ? code(s.flag.split(/[ ,]/)[0]) : '—',
      [s.env, ...(s.envFile ? [fileEnvOf(s)] : [])].map(code).join(', '),
      s.configKey ? code(s.configKey) : '—',
      s.defaultText ?? (s.default === undefined ? 'none' : code(String(s.default))),
      s.description.replace(/\|/g, '\\|'),
    ]),
  ];
}

import { Option, type Command } from 'commander';
import { AUTH_ENV, redactUrl } from '../adapters/sources/prometheus/auth.js';
import { API_TOKEN_SETTING } from '../config/api-token.js';
import { DEFAULT_CYCLE } from '../config/defaults.js';
import type { PrescaleConfig } from '../config/schema.js';
import { settingsDocTable, type Setting } from '../config/settings.js';
import { DEFAULT_LOCK_TTL_SEC } from '../runtime/leader.js';
import { cronArg, dirArg, hostArg, nonEmptyArg, numberArg, urlArg } from './options.js';

/** Where planner state is kept across restarts unless --state-dir or `stateDir:` says otherwise. */
export const DEFAULT_STATE_DIR = '.prescale-state';

const fromConfig = <T>(f: (c: PrescaleConfig) => T | undefined) => f as (c: never) => T | undefined;

/**
 * Every setting of `prescale serve`: the one definition of its flags, their `PRESCALE_*`
 * variables, config file keys and defaults (README "Configuration"; a test checks that every
 * flag of the command is here and that the README's table is this one).
 */
export const SERVE_SETTINGS: readonly Setting[] = Object.freeze([
  {
    key: 'apply',
    flag: '--apply',
    env: 'PRESCALE_APPLY',
    boolean: true,
    default: false,
    description: 'apply plans to the engine (else recommend only)',
  },
  {
    key: 'prometheus',
    flag: '--prometheus <url>',
    env: 'PRESCALE_PROMETHEUS',
    parse: urlArg,
    configKey: 'prometheus',
    fromConfig: fromConfig((c) => c.prometheus),
    show: (u) => redactUrl(u as string),
    description: 'Prometheus base URL (credentials in it are never shown)',
  },
  {
    key: 'prometheusUser',
    flag: '--prometheus-user <name>',
    env: 'PRESCALE_PROMETHEUS_USER',
    parse: nonEmptyArg,
    description: 'basic auth user for Prometheus',
  },
  {
    key: 'prometheusPassword',
    env: AUTH_ENV.password,
    secret: true,
    description: 'basic auth password, when no password file is given',
  },
  {
    key: 'prometheusPasswordFile',
    flag: '--prometheus-password-file <file>',
    env: 'PRESCALE_PROMETHEUS_PASSWORD_FILE',
    parse: nonEmptyArg,
    description: 'file holding the basic auth password',
  },
  {
    key: 'prometheusToken',
    env: AUTH_ENV.token,
    secret: true,
    description: 'bearer token for Prometheus, when no token file is given',
  },
  {
    key: 'prometheusTokenFile',
    flag: '--prometheus-token-file <file>',
    env: 'PRESCALE_PROMETHEUS_TOKEN_FILE',
    parse: nonEmptyArg,
    description: 'file holding a bearer token for Prometheus',
  },
  API_TOKEN_SETTING,
  {
    key: 'port',
    flag: '--port <port>',
    env: 'PRESCALE_PORT',
    parse: numberArg({ integer: true, min: 0, max: 65535 }),
    default: 8080,
    description: 'API port',
  },
  {
    key: 'host',
    flag: '--host <address>',
    env: 'PRESCALE_HOST',
    parse: hostArg,
    default: '0.0.0.0',
    description: 'address the API listens on (0.0.0.0: every interface)',
  },
  {
    key: 'config',
    flag: '--config <file>',
    env: 'PRESCALE_CONFIG',
    parse: nonEmptyArg,
    description: 'YAML config file (defaults, services, schedule)',
  },
  {
    key: 'stateDir',
    flag: '--state-dir <dir>',
    env: 'PRESCALE_STATE_DIR',
    parse: dirArg,
    configKey: 'stateDir',
    fromConfig: fromConfig((c) => c.stateDir),
    default: DEFAULT_STATE_DIR,
    defaultText: `\`${DEFAULT_STATE_DIR}\` (none with \`--embedded\`)`,
    description: 'planner state kept across restarts',
  },
  {
    key: 'schedule',
    flag: '--schedule <cron>',
    env: 'PRESCALE_SCHEDULE',
    parse: cronArg,
    configKey: 'cycle.schedule',
    // the schema fills in the default: only a schedule other than it was written in the file
    fromConfig: fromConfig((c) => (c.cycle.schedule !== DEFAULT_CYCLE.schedule ? c.cycle.schedule : undefined)),
    default: DEFAULT_CYCLE.schedule,
    description: 'cron expression of the planning cycle (default: every minute)',
  },
  {
    key: 'embedded',
    flag: '--embedded',
    env: 'PRESCALE_EMBEDDED',
    boolean: true,
    default: false,
    description: 'run on the embedded sample: no Prometheus, no Docker, nothing applied',
  },
  {
    key: 'models',
    flag: '--models <dir>',
    env: 'PRESCALE_MODELS',
    parse: nonEmptyArg,
    default: 'models',
    description: 'trained models (prescale train --out DIR/NAME), used by prescale.model=lstm:NAME',
  },
  {
    key: 'lockTtl',
    flag: '--lock-ttl <seconds>',
    env: 'PRESCALE_LOCK_TTL',
    parse: numberArg({ min: 3, max: 3600 }),
    default: DEFAULT_LOCK_TTL_SEC,
    description: 'with --apply: seconds after which the leader lock of a crashed instance is taken over',
  },
]);

/** Flags of `serve` that are actions, not settings: they have no variable. */
export const SERVE_ACTION_FLAGS = Object.freeze(['--print-config']);

/** Adds every setting with a flag to `cmd`: its help names the variable and the default. */
export function addSettingFlags(cmd: Command, table: readonly Setting[] = SERVE_SETTINGS): Command {
  for (const s of table) {
    if (!s.flag) continue;
    const dflt = s.defaultText ?? (s.default === undefined || s.boolean ? undefined : String(s.default));
    const option = new Option(
      s.flag,
      `${s.description} [${s.env}]${dflt ? ` (default: ${dflt.replace(/`/g, '')})` : ''}`,
    );
    if (s.parse && !s.boolean) option.argParser(s.parse);
    cmd.addOption(option);
  }
  return cmd;
}

/** The README's table of the settings of `serve` (section "Configuration"). */
export function serveSettingsTable(): string[][] {
  return settingsDocTable(SERVE_SETTINGS);
}

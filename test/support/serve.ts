/** Runs `prescale serve` (the built CLI, dist/) as a child process and talks to its API. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './prometheus.js';

export interface Served {
  readonly proc: ChildProcess;
  readonly url: string;
  /** Everything it printed so far (stdout and stderr: the JSON log lines). */
  output(): string;
  readonly exited: Promise<number | null>;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

export interface ServeOptions {
  readonly env?: Record<string, string | undefined>;
  /**
   * A planning clock that starts at `start` (unix seconds) and runs `rate` times faster than real
   * time, so that hours of load pass in minutes. The service runs through
   * test/support/fast-clock-cli.ts, which injects it into the built CLI.
   */
  readonly clock?: { readonly start: number; readonly rate: number };
}

/** Starts `prescale serve --port P ...args`. */
export async function serve(args: readonly string[], opts: ServeOptions = {}): Promise<Served> {
  const port = await freePort();
  const argv = ['serve', '--port', String(port), ...args];
  const command = opts.clock
    ? ['--import', 'tsx', 'test/support/fast-clock-cli.ts', ...argv]
    : ['bin/prescale.js', ...argv];
  const clockEnv = opts.clock ? { PRESCALE_TEST_CLOCK: `${opts.clock.start},${opts.clock.rate}` } : {};
  const proc = spawn(process.execPath, command, { env: { ...process.env, ...clockEnv, ...opts.env } });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b));
  proc.stderr?.on('data', (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `fn` until it returns a value, or fails with what the service printed. */
export async function until<T>(
  s: Served | undefined,
  what: string,
  fn: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${s ? `; service output:\n${s.output().slice(-4000)}` : ''}`);
}

/** GET as JSON; undefined unless 2xx. */
export async function getJson<T = unknown>(url: string): Promise<T | undefined> {
  const r = await fetch(url);
  return r.ok ? ((await r.json()) as T) : undefined;
}

/** One value of a metric in Prometheus text format (`name{labels} value`), or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '') === want) return Number(m[3]);
  }
  return undefined;
}

/** The log lines (JSON) it printed. */
export function logLines(s: Served): Array<Record<string, unknown> & { msg?: string }> {
  return s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown> & { msg?: string }];
      } catch {
        return [];
      }
    });
}

const made: string[] = [];
process.once('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh --state-dir, removed when the test process exits. */
export function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'prescale-state-'));
  made.push(d);
  return d;
}

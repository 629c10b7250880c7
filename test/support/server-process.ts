/**
 * One server binary run for a test (Prometheus, VictoriaMetrics): started on a fixed loopback
 * port, waited for until its readiness path answers, stopped and started again on the same data
 * (to test an outage), and removed with its data folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface ServerHandle {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Kills the server and deletes its data. */
  stop(): Promise<void>;
  /** Stops the server, keeping its data: the URL refuses connections until `resume()`. */
  pause(): Promise<void>;
  /** Starts the server again on the same port and data. */
  resume(): Promise<void>;
  /** Sends `signal` to the running server (e.g. SIGSTOP, SIGCONT); false when none runs. */
  signal(signal: NodeJS.Signals): boolean;
}

export interface ServerSpec {
  /** The binary, as found on PATH; also names the server in errors. */
  readonly command: string;
  readonly args: readonly string[];
  /** Base URL the server listens on. */
  readonly url: string;
  /** Path that answers 2xx once the server serves queries, e.g. `/-/ready`. */
  readonly readyPath: string;
  /** Folder of the server's data, removed by `stop()`. */
  readonly dir: string;
}

/** Label pairs `k="v"` in the exposition format's escaping, joined by commas. */
export function labelText(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

async function waitReady(spec: ServerSpec, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (proc.exitCode !== null) throw new Error(`${spec.command} exited (${proc.exitCode}): ${log()}`);
    try {
      const res = await fetch(`${spec.url}${spec.readyPath}`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${spec.command} at ${spec.url} not ready after 30 s: ${log()}`);
}

/** Starts the server and resolves once it is ready; its stderr's tail goes into start-up errors. */
export async function startServer(spec: ServerSpec): Promise<ServerHandle> {
  let proc: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    let logText = '';
    proc = spawn(spec.command, [...spec.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (b: Buffer) => {
      logText = (logText + b.toString()).slice(-2000);
    });
    await waitReady(spec, proc, () => logText);
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 5000).unref();
    });
  };
  const stop = async (): Promise<void> => {
    await kill();
    rmSync(spec.dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: spec.url,
    pause: kill,
    resume: start,
    signal: (sig) => (proc && proc.exitCode === null ? proc.kill(sig) : false),
    stop,
  };
}

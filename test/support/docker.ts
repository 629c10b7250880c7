/**
 * Helpers for tests on the private engine test/env/docker.sh starts (PRESCALE_TEST_DOCKER_HOST),
 * with the image `prescale-tiny:latest` (busybox).
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import Docker from 'dockerode';
import { testDockerHost } from './integration.js';

export const TEST_IMAGE = 'prescale-tiny:latest';

/** A client for the test engine (throws when there is none). */
export function testDocker(): Docker {
  const host = testDockerHost();
  if (!host) throw new Error('PRESCALE_TEST_DOCKER_HOST is not set (test/run.sh starts the engine)');
  return dockerAt(host);
}

/** Creates a replicated Swarm service running `sleep`. Returns its id. */
export async function createSwarmService(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
  replicas: number,
): Promise<string> {
  const svc = await docker.createService({
    Name: name,
    Labels: labels,
    TaskTemplate: {
      // `sleep` as PID 1 ignores SIGTERM: a short grace period keeps scale-downs and engine restarts quick
      ContainerSpec: { Image: TEST_IMAGE, Command: ['/bin/sleep', '100000'], StopGracePeriod: 1e9 },
      RestartPolicy: { Condition: 'none' },
    },
    Mode: { Replicated: { Replicas: replicas } },
  });
  return (svc as unknown as { id?: string; ID?: string }).id ?? (svc as unknown as { ID: string }).ID;
}

/** Replicas the service's spec asks for. */
export async function specReplicas(docker: Docker, name: string): Promise<number> {
  const info = await docker.getService(name).inspect();
  return info.Spec?.Mode?.Replicated?.Replicas ?? -1;
}

/** Waits until `n` tasks of the service run. */
export async function waitRunning(docker: Docker, name: string, n: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let running = -1;
  while (Date.now() < until) {
    const tasks = await docker.listTasks({ filters: { service: [name], 'desired-state': ['running'] } });
    running = tasks.filter((t) => t.Status?.State === 'running').length;
    if (running === n) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`service ${name}: ${running} tasks running, expected ${n}`);
}

/** Removes services, ignoring ones already gone. */
export async function removeServices(docker: Docker, ...names: string[]): Promise<void> {
  for (const n of names)
    await docker
      .getService(n)
      .remove()
      .catch(() => undefined);
}

/** Runs a CLI (docker, docker-compose) against the test engine (or `host`). */
export function dockerCli(cmd: string, args: string[], opts: { input?: string; cwd?: string; host?: string } = {}) {
  return spawnSync(cmd, args, {
    encoding: 'utf8',
    input: opts.input,
    cwd: opts.cwd,
    env: { ...process.env, DOCKER_HOST: opts.host ?? testDockerHost() },
  });
}

/**
 * Restarts the test engine's dockerd (test/env/docker.sh restart): SIGTERM, then start it again on
 * the same state after `downSeconds`, as a host's service manager would. Resolves once the swarm
 * answers again.
 */
export async function restartEngine(downSeconds = 0, host = testDockerHost()): Promise<void> {
  if (!host) throw new Error('PRESCALE_TEST_DOCKER_HOST is not set');
  const dir = dirname(host.replace(/^unix:\/\//, ''));
  const res = await dockerEnv(['restart', dir, String(downSeconds)]);
  if (res.code !== 0) throw new Error(`docker.sh restart failed (${res.code}): ${res.stderr}`);
}

/** Runs test/env/docker.sh with `args`, without blocking the event loop. */
async function dockerEnv(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runAsync('bash', ['test/env/docker.sh', ...args]);
}

/**
 * A private engine of its own under `dir` (test/env/docker.sh up), for a run that must not share
 * the suite's engine (e.g. the soak, which restarts it). `tmpfs`: overlay2 on a tmpfs, for
 * image builds. Returns its DOCKER_HOST.
 */
export async function startEngine(dir: string, mode?: 'noswarm' | 'tmpfs'): Promise<string> {
  const res = await dockerEnv(['up', dir, ...(mode ? [mode] : [])]);
  const host = /PRESCALE_TEST_DOCKER_HOST=(\S+)/.exec(res.stdout)?.[1];
  if (res.code !== 0 || !host) throw new Error(`docker.sh up failed (${res.code}): ${res.stderr}`);
  return host;
}

/** Stops the engine startEngine(dir) started and cleans up after it (test/env/docker.sh down). */
export async function stopEngine(dir: string): Promise<void> {
  await dockerEnv(['down', dir]);
}

/** A client for the engine at `host` (DOCKER_HOST form, unix:// only). */
export function dockerAt(host: string): Docker {
  return new Docker({ socketPath: host.replace(/^unix:\/\//, '') });
}

/**
 * Runs a command to its end without blocking the event loop (unlike dockerCli), for callers that
 * time other things meanwhile. Never rejects: a command that cannot start answers code null.
 */
export function runAsync(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b));
    proc.stderr.on('data', (b: Buffer) => (stderr += b));
    const timer = opts.timeoutMs ? setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs) : undefined;
    proc.once('error', (err) => resolve({ code: null, stdout, stderr: stderr + String(err) }));
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

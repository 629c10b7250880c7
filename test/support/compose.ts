/** docker-compose 1.29 projects on the test engine, in temporary folders. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { TEST_IMAGE, dockerCli, runAsync } from './docker.js';

/**
 * A compose file with one service `web` on the host's network (the test engine has no bridge),
 * labelled with `labels`; a 1 s grace period, as `sleep` as PID 1 ignores SIGTERM.
 */
export function hostNetworkFile(labels: Record<string, string>): string {
  const lines = Object.entries(labels).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`);
  return `version: '2.4'
services:
  web:
    image: ${TEST_IMAGE}
    command: ["/bin/sleep", "100000"]
    network_mode: host
    stop_grace_period: 1s
    labels:
${lines.join('\n')}
`;
}

/**
 * A compose file with one service per entry of `services` (name → labels), each as
 * hostNetworkFile's `web`; `restart` sets their restart policy (default none).
 */
export function hostNetworkServices(services: Record<string, Record<string, string>>, restart?: string): string {
  const blocks = Object.entries(services).map(([name, labels]) => {
    const lines = Object.entries(labels).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`);
    return `  ${name}:
    image: ${TEST_IMAGE}
    command: ["/bin/sleep", "100000"]
    network_mode: host
    stop_grace_period: 1s
${restart ? `    restart: ${restart}\n` : ''}    labels:
${lines.join('\n')}
`;
  });
  return `version: '2.4'\nservices:\n${blocks.join('')}`;
}

export class ComposeProject {
  readonly name: string;
  readonly dir = mkdtempSync(join(tmpdir(), 'prescale-compose-'));

  constructor(
    readonly docker: Docker,
    file: string,
    prefix = 'prescaletest',
    /** The engine, when not the test engine (DOCKER_HOST form). */
    private readonly host?: string,
  ) {
    this.name = `${prefix}${randomBytes(4).toString('hex')}`;
    writeFileSync(join(this.dir, 'docker-compose.yml'), file);
  }

  /** The key prescale gives its service `web`. */
  get key(): string {
    return `compose/${this.name}/web`;
  }

  /** Runs docker-compose on the project; throws with its stderr when it fails. */
  compose(...args: string[]): string {
    const res = dockerCli('docker-compose', ['-p', this.name, ...args], { cwd: this.dir, host: this.host });
    if (res.status !== 0) throw new Error(`docker-compose ${args.join(' ')}: ${res.stderr}`);
    return res.stdout;
  }

  /**
   * docker-compose on the project without blocking the event loop (for callers that time other
   * things meanwhile); throws with its stderr when it fails.
   */
  async composeAsync(...args: string[]): Promise<string> {
    const res = await runAsync('docker-compose', ['-p', this.name, ...args], {
      cwd: this.dir,
      env: { DOCKER_HOST: this.host ?? process.env.PRESCALE_TEST_DOCKER_HOST },
      timeoutMs: 120_000,
    });
    if (res.code !== 0) throw new Error(`docker-compose ${args.join(' ')}: ${res.stderr}`);
    return res.stdout;
  }

  /** Containers of `service` (default `web`) that are neither exited nor dead: its replicas. */
  async live(service = 'web'): Promise<number> {
    return (await this.liveByService())[service] ?? 0;
  }

  /** Live containers (neither exited nor dead) of each service of the project that has any container. */
  async liveByService(): Promise<Record<string, number>> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${this.name}`] },
    });
    const live: Record<string, number> = {};
    for (const c of list) {
      if (c.Labels['com.docker.compose.oneoff'] === 'True') continue;
      const service = c.Labels['com.docker.compose.service'];
      live[service] = (live[service] ?? 0) + (['exited', 'dead', 'removing'].includes(c.State) ? 0 : 1);
    }
    return live;
  }

  down(): void {
    dockerCli('docker-compose', ['-p', this.name, 'down', '--volumes', '--timeout', '1'], {
      cwd: this.dir,
      host: this.host,
    });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Integration tests need the real services. Outside CI a missing service skips the test with a
 * reason; in CI (CI=true) nothing may be skipped, so a missing service fails the test instead.
 */
import { spawnSync } from 'node:child_process';

/** `skip` option for node:test: false when `ready`, a reason string otherwise (throws in CI). */
export function skipUnless(ready: boolean, what: string): false | string {
  if (ready) return false;
  if (process.env.CI === 'true')
    throw new Error(`integration test needs ${what}, which is missing (CI=true: no skipping)`);
  return `needs ${what}`;
}

/** True when `cmd` is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The private test engine started by test/run.sh, if any. */
export function testDockerHost(): string | undefined {
  return process.env.PRESCALE_TEST_DOCKER_HOST;
}

/** One service of `run --once --json`'s report, the fields the tests read. */
export interface RunReportService {
  readonly key: string;
  readonly desiredReplicas: number;
  readonly status: string;
  readonly message: string;
  readonly decision?: { readonly reason: string };
}

/** The services of `run --once --json`'s stdout, by key (e.g. `swarm/web`). */
export function servicesByKey(stdout: string): Record<string, RunReportService> {
  const report = JSON.parse(stdout) as { services: RunReportService[] };
  return Object.fromEntries(report.services.map((s) => [s.key, s]));
}

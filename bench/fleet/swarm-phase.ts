/**
 * The fleet bench's second phase: M labelled services on a real Swarm engine (the one
 * test/env/docker.sh starts, PRESCALE_TEST_DOCKER_HOST), each side of the bench planning and
 * applying on them, then the tasks waited for and the services removed.
 */
import type { Side } from '../fleet.js';
import { dockerAt } from '../../test/support/docker.js';
import { createFleet, removeFleet, runningTasks } from './swarm.js';

/** Containers per service at most: each is a process and its shim on the engine's host. */
export const SWARM_MAX_REPLICAS = 3;

export interface SwarmRun {
  readonly skipped?: string;
  readonly engine?: string;
  readonly sides: Side[];
  /** Per side: tasks running once the engine converged (or gave up), and how long that took. */
  readonly converged: Array<{ running: number; desired: number; sec: number }>;
}

/** Waits until every task the specs ask for runs (at most `timeoutMs`). */
async function converge(docker: ReturnType<typeof dockerAt>, timeoutMs: number) {
  const t0 = performance.now();
  for (;;) {
    const { running, desired } = await runningTasks(docker);
    const sec = (performance.now() - t0) / 1000;
    if (running === desired || sec * 1000 > timeoutMs) return { running, desired, sec };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Runs `modes` on `m` real Swarm services; `side` runs one side against the engine at `host`. */
export async function swarmPhase(
  m: number,
  modes: readonly string[],
  side: (mode: string, host: string) => Promise<Side>,
): Promise<SwarmRun> {
  const host = process.env.PRESCALE_TEST_DOCKER_HOST;
  const none = (skipped: string): SwarmRun => {
    console.error(`swarm phase skipped: ${skipped}`);
    return { skipped, sides: [], converged: [] };
  };
  if (!host) return none('no engine: PRESCALE_TEST_DOCKER_HOST is not set (source <(bash test/env/docker.sh up DIR))');
  const docker = dockerAt(host);
  let state: string | undefined;
  try {
    state = (await docker.info()).Swarm?.LocalNodeState;
  } catch (err) {
    return none(`no engine answers at ${host}: ${(err as Error).message}`);
  }
  if (state !== 'active') return none(`the engine at ${host} is not in Swarm mode (${state})`);
  const version = (await docker.version()).Version;
  const run: SwarmRun = { engine: `Docker ${version}, one-node swarm`, sides: [], converged: [] };
  for (const mode of modes) {
    await removeFleet(docker, m);
    const t0 = performance.now();
    await createFleet(docker, m, SWARM_MAX_REPLICAS);
    const up = await converge(docker, 300_000);
    console.error(
      `swarm: ${m} services created, ${up.running} of ${up.desired} tasks running after ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    try {
      run.sides.push(await side(mode, host));
      run.converged.push(await converge(docker, 300_000));
      console.error(JSON.stringify({ ...run.sides.at(-1), converged: run.converged.at(-1) }));
    } finally {
      await removeFleet(docker, m);
    }
  }
  return run;
}

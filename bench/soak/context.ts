/** What the faults share: the run's world, and small waits on the instances. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fixture } from './fixture.js';
import type { Instance, Instances, Status } from './instances.js';
import type { Checker } from './invariants.js';
import type { Random } from './random.js';
import type { SoakRecord } from './record.js';

export interface FaultContext {
  readonly f: Fixture;
  readonly instances: Instances;
  readonly checker: Checker;
  readonly rec: SoakRecord;
  readonly rand: Random;
  readonly lockTtlSec: number;
  /** The instance on the tmpfs state dir that the soak keeps as the leader between faults. */
  main: Instance;
}

export interface Fault {
  /** A bound on how long it takes, seconds (a fault that would not fit in the run is not started). */
  readonly maxSec: number;
  run(ctx: FaultContext): Promise<void>;
}

/** Polls `fn` every 250 ms until true or `ms` pass; says which. */
export async function waitFor(fn: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await Promise.resolve(fn()).catch(() => false)) return true;
    await sleep(250);
  }
  return false;
}

export async function statusOf(inst: Instance): Promise<Status | undefined> {
  try {
    const res = await fetch(`${inst.url}/v1/status`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? ((await res.json()) as Status) : undefined;
  } catch {
    return undefined;
  }
}

export async function modeOf(inst: Instance): Promise<string | undefined> {
  return (await statusOf(inst))?.mode;
}

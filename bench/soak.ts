/**
 * The chaos soak: `prescale serve --apply` (the built CLI) over 16 Swarm services and a Compose
 * project of 4 on a private Docker engine in Swarm mode, with a private Prometheus, while faults
 * are injected one at a time in a seeded random order (bench/soak/faults.ts) and the invariants
 * are checked continuously (bench/soak/invariants.ts). Prints the faults, the checks and the
 * violations, ending with `soak: N passed, N failed`; writes bench/out/soak.json and the
 * instances' logs to bench/out/soak-logs/; exits 1 on any violation.
 *
 *   node --import tsx bench/soak.ts --minutes 5 --seed 1 [--out bench/out]   (npm run soak -- --minutes 5)
 *
 * --minutes is the length of the fault phase (at most 240); set-up, the warm-up before the first
 * fault and the convergence check after the last add about two minutes.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setUp, tearDown, type Fixture } from './soak/fixture.js';
import { FAULTS, injectFaults, recover, waitFor, type FaultContext } from './soak/faults.js';
import { Instances } from './soak/instances.js';
import { CYCLE_MS, Checker } from './soak/invariants.js';
import { Random } from './soak/random.js';
import { SoakRecord } from './soak/record.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOCK_TTL_SEC = 12;
const SCHEDULE = '*/10 * * * * *';

function options() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: join(ROOT, 'bench', 'out') },
    },
  });
  const minutes = Number(values.minutes);
  const seed = Number(values.seed);
  if (!(minutes > 0 && minutes <= 240))
    throw new Error(`--minutes: expected a number in (0, 240], got ${values.minutes}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed: expected a whole number, got ${values.seed}`);
  return { minutes, seed, out: values.out };
}

async function main(): Promise<number> {
  const { minutes, seed, out: OUT } = options();
  process.chdir(ROOT);
  const rec = new SoakRecord();
  const rand = new Random(seed);
  const logDir = join(OUT, 'soak-logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const faultSec = Math.round(minutes * 60);
  rec.note(`soak: seed ${seed}, ${minutes} min of faults`);
  let fixture: Fixture | undefined;
  let instances: Instances | undefined;
  let checker: Checker | undefined;
  let interrupted = false;
  // a bound on the whole run: set-up, faults, convergence and teardown
  const hardStop = setTimeout(() => void finish('time bound exceeded'), (faultSec + 15 * 60) * 1000);
  const onSignal = () => {
    interrupted = true;
    void finish('interrupted');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let finishing: Promise<void> | undefined;
  async function finish(why?: string): Promise<void> {
    finishing ??= (async () => {
      if (why) rec.note(`stopping: ${why}`);
      await checker?.stop();
      await instances?.killAll();
      if (fixture) await tearDown(fixture);
    })();
    await finishing;
    if (why) process.exit(interrupted ? 130 : 1);
  }

  try {
    fixture = await setUp(rand, faultSec + 300, logDir, (s) => rec.note(s));
    const f = fixture;
    instances = new Instances(
      {
        prometheus: f.prom.url,
        dockerHost: f.host,
        config: f.config,
        schedule: SCHEDULE,
        lockTtl: LOCK_TTL_SEC,
        logDir,
      },
      rec,
    );
    checker = new Checker(f, instances, rec);
    const main = await instances.start('main', true, f.stateDir);
    checker.start();
    const ctx: FaultContext = { f, instances, checker, rec, rand, lockTtlSec: LOCK_TTL_SEC, main };
    // warm-up: the leader has planned every service twice
    const warm = await waitFor(async () => {
      const m = instances?.all[0];
      return !!m && m.cycles.length >= 2 && m.status?.mode === 'apply';
    }, 180_000);
    if (!warm) throw new Error(`the first instance did not plan twice within 180 s:\n${main.tail(30).join('\n')}`);
    rec.note(`warm: first cycles took ${main.cycles.map((c) => c.ms).join(', ')} ms`);
    await injectFaults(ctx, Date.now() + faultSec * 1000);
    rec.note('faults stopped');
    await recover(ctx, 'the last fault');
    // convergence: within two cycles (and the work of one) the plan is what runs, nothing held
    const deadline = Date.now() + 2 * CYCLE_MS + instances.recentCycleMs() + 3000;
    let last = 'no consistent reading';
    const converged = await waitFor(async () => {
      const c = await checker?.converged(ctx.main);
      if (c) last = c.detail;
      return c?.ok ?? false;
    }, deadline - Date.now());
    rec.check('converged', converged, () => `not converged two cycles after the faults stopped: ${last}`);
    await checker.stop();
    for (const i of instances.running()) await instances.stop(i);
  } catch (err) {
    rec.note(`soak failed: ${(err as Error).stack ?? String(err)}`);
    rec.check('recovered', false, () => `the soak could not run to its end: ${String(err)}`);
  } finally {
    clearTimeout(hardStop);
    await finish();
  }
  instances?.attributeHealthz();
  for (const line of rec.summary()) console.log(line);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(
    join(OUT, 'soak.json'),
    JSON.stringify(
      rec.toJSON({ seed, minutes, kinds: Object.keys(FAULTS), engineMisses: checker?.engineMisses ?? 0 }),
      null,
      2,
    ) + '\n',
  );
  return rec.violationCount() === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`soak: ${(err as Error).message}`);
    process.exit(2);
  },
);

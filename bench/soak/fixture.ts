/**
 * The world a soak runs in, all of it private and torn down at the end: a Docker engine in Swarm
 * mode (test/env/docker.sh), a Compose project beside the Swarm services on it, a Prometheus
 * with backfilled history (test/support/prometheus.ts), a small tmpfs for the leader's state dir,
 * and the config file the instances share.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ComposeProject, hostNetworkServices } from '../../test/support/compose.js';
import { createSwarmService, dockerAt, runAsync, startEngine, stopEngine } from '../../test/support/docker.js';
import { dailyPeakLoad } from '../../test/support/load.js';
import { startPrometheus, type BackfillSeries, type PrometheusHandle } from '../../test/support/prometheus.js';
import type { Random } from './random.js';

/** One labelled service of the soak. */
export interface SoakService {
  /** prescale's key: swarm/NAME or compose/PROJECT/NAME. */
  readonly key: string;
  readonly kind: 'swarm' | 'compose';
  readonly name: string;
  readonly query: string;
  readonly min: number;
  readonly max: number;
  /** Labels beside the bounds and the query (e.g. a pinned policy). */
  readonly extra: Record<string, string>;
}

/** The query step of the instances' config: a Prometheus outage is noticed within one step. */
export const QUERY_STEP = 15;
// the daily policy tuning replays a week after two days of warm-up: as in production, it runs
const HISTORY_DAYS = 9;
/** The tmpfs under the leader's state dir: room for the state file, and quickly filled. */
export const STATE_TMPFS = '64k';
const CAPACITY = 100;

export interface Fixture {
  readonly work: string;
  readonly host: string;
  readonly docker: Docker;
  readonly prom: PrometheusHandle;
  readonly project: ComposeProject;
  readonly services: SoakService[];
  /** The leader's state dir, a tmpfs. */
  readonly stateDir: string;
  readonly config: string;
  readonly logDir: string;
}

/** Labels of a service with bounds [min, max] and `query` as its load. */
export function labelsOf(s: Pick<SoakService, 'query' | 'min' | 'max'>, extra: Record<string, string> = {}) {
  return {
    'prescale.enable': 'true',
    'prescale.query': s.query,
    'prescale.capacity': String(CAPACITY),
    'prescale.min': String(s.min),
    'prescale.max': String(s.max),
    // short enough that the planner scales up ahead of and down after the peaks within a run
    'prescale.startup-delay': '60s',
    'prescale.stabilization': '120s',
    ...extra,
  };
}

/**
 * 16 Swarm services and a Compose project of 4: most on a backfilled daily load whose peak comes
 * during the run (each at its own time), some on constants (`vector`) and sums of the others.
 */
function plan(rand: Random, runSec: number, project: string) {
  const series: BackfillSeries[] = [];
  const now = Math.floor(Date.now() / 1000 / 60) * 60;
  const backfilled = (service: string) => {
    const base = rand.int(50, 120);
    series.push({
      name: 'load',
      labels: { service },
      ...dailyPeakLoad({
        end: now + runSec + 1800,
        days: HISTORY_DAYS,
        step: 60,
        peakStartsIn: -(runSec + 1800) + rand.int(60, Math.max(90, runSec - 60)),
        peakSeconds: rand.int(120, 300),
        base,
        peak: base + rand.int(100, 300),
      }),
    });
    return `load{service="${service}"}`;
  };
  const services: SoakService[] = [];
  const add = (kind: SoakService['kind'], name: string, query: string) => {
    const min = rand.int(1, 2);
    services.push({
      key: kind === 'swarm' ? `swarm/${name}` : `compose/${project}/${name}`,
      kind,
      name,
      query,
      min,
      max: min + rand.int(4, 6),
      extra: extraOf(services.length),
    });
  };
  for (let i = 1; i <= 10; i++) add('swarm', `s${String(i).padStart(2, '0')}`, backfilled(`s${i}`));
  add('swarm', 's11', 'vector(250)');
  add('swarm', 's12', 'vector(320)');
  add('swarm', 's13', 'vector(90)');
  add('swarm', 's14', 'load{service="s1"} * 0.5');
  add('swarm', 's15', 'sum(load{service=~"s[234]"}) / 3');
  add('swarm', 's16', 'scalar(load{service="s5"}) + vector(50)');
  for (let i = 1; i <= 4; i++) add('compose', `c${i}`, backfilled(`c${i}`));
  return { series, services };
}

/** The extra labels of a few services: a pinned policy beside the daily-tuned rest. */
function extraOf(i: number): Record<string, string> {
  return i % 5 === 4 ? { 'prescale.auto-tune': 'false' } : {};
}

/** Sets everything up; on failure, tears down what was started and rethrows. */
export async function setUp(rand: Random, runSec: number, logDir: string, say: (s: string) => void): Promise<Fixture> {
  const work = mkdtempSync(join(tmpdir(), 'prescale-soak-'));
  const stateDir = join(work, 'state');
  mkdirSync(stateDir);
  const partial: Partial<Fixture> & { work: string; stateDir: string } = { work, stateDir };
  try {
    const mount = await runAsync('mount', ['-t', 'tmpfs', '-o', `size=${STATE_TMPFS}`, 'tmpfs', stateDir]);
    if (mount.code !== 0) throw new Error(`mount -t tmpfs ${stateDir} failed (the soak runs as root): ${mount.stderr}`);
    say('starting a private Docker engine in Swarm mode');
    const host = await startEngine(join(work, 'docker'));
    Object.assign(partial, { host });
    const docker = dockerAt(host);
    const project = `soak${rand.int(1000, 9999)}`;
    const { series, services } = plan(rand, runSec, project);
    say(`backfilling ${series.length} series (${HISTORY_DAYS} days) and starting Prometheus`);
    const prom = await startPrometheus({ series });
    Object.assign(partial, { prom });
    say(`creating ${services.filter((s) => s.kind === 'swarm').length} Swarm services and Compose project ${project}`);
    for (const s of services)
      if (s.kind === 'swarm') await createSwarmService(docker, s.name, labelsOf(s, s.extra), s.min);
    const compose = services.filter((s) => s.kind === 'compose');
    const file = hostNetworkServices(Object.fromEntries(compose.map((s) => [s.name, labelsOf(s, s.extra)])));
    const cp = new ComposeProject(docker, file, 'soak', host);
    // the prefix plus random hex is its name: keys follow it
    const fixed = services.map((s) => (s.kind === 'compose' ? { ...s, key: `compose/${cp.name}/${s.name}` } : s));
    Object.assign(partial, { project: cp });
    await cp.composeAsync('up', '-d', ...compose.flatMap((s) => ['--scale', `${s.name}=${s.min}`]));
    const config = join(work, 'prescale.yaml');
    writeFileSync(config, `cycle: { step: ${QUERY_STEP}, history: ${HISTORY_DAYS * 86_400} }\n`);
    return { work, host, docker, prom, project: cp, services: fixed, stateDir, config, logDir };
  } catch (err) {
    await tearDown(partial);
    throw err;
  }
}

/** Stops and removes everything setUp started (safe to call on a partial fixture, and twice). */
export async function tearDown(f: Partial<Fixture> & { work: string; stateDir: string }): Promise<void> {
  if (f.prom) {
    f.prom.signal('SIGCONT');
    await f.prom.stop().catch(() => undefined);
  }
  // the engine's clean-up removes the project's containers with everything else
  if (f.host) await stopEngine(join(f.work, 'docker'));
  if (f.project) rmSync(f.project.dir, { recursive: true, force: true });
  await runAsync('umount', ['-l', f.stateDir]);
  rmSync(f.work, { recursive: true, force: true });
}

/** Live containers of each Compose service of the project, by prescale key. */
export async function composeReplicas(f: Fixture): Promise<Map<string, number>> {
  const live = await f.project.liveByService();
  return new Map(Object.entries(live).map(([name, n]) => [`compose/${f.project.name}/${name}`, n]));
}

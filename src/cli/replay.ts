import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { numberArg } from './options.js';
import { EXCLUDE_FLAG, readHistory } from './history.js';
import { policyWith } from '../config/defaults.js';
import { loadPolicyFile } from '../config/schema.js';
import { overridesFromConfig } from '../config/service-spec.js';
import { PrescaleError } from '../core/domain/errors.js';
import type { ScalingPolicy } from '../core/domain/policy.js';
import { MAX_HORIZON_STEPS, MAX_REPLICAS, MAX_STARTUP_DELAY_SEC } from '../core/domain/limits.js';
import { DAY_SECONDS, type RegularSeries } from '../core/domain/series.js';
import { contextOf } from '../core/forecast/forecaster.js';
import { fillGaps } from '../core/series/regular.js';
import { parallelWalk, walkThreads } from './parallel-walk.js';
import {
  compareWithReferences,
  scoredFrom,
  simulate,
  type PolicyScore,
  type ReplayPhase,
  type SimulationResult,
} from '../core/simulate/index.js';

/** What `simulate` and `report` both take: the trace, the service and the policy file. */
export interface ReplayArgs {
  readonly input: string;
  readonly capacity: number;
  readonly startupDelay: number;
  readonly policy?: string;
  readonly model?: string;
  /** An `--exclude` file: its masks are gaps in the trace. */
  readonly exclude?: string;
}

/** One replay of a trace (what `simulate` prints and `report` draws). */
export interface ReplayRun {
  /** The demand: the trace with gaps filled and negative values clamped to 0. */
  readonly series: RegularSeries;
  readonly policy: ScalingPolicy;
  /** The forecast model replayed: --model, else the policy file's, else auto. */
  readonly model: string;
  readonly delaySteps: number;
  readonly seasonDay: number;
  readonly sim: SimulationResult;
  readonly cmp: { scoredFrom: number; prescale: PolicyScore; reactive: PolicyScore; oracle: PolicyScore };
  /** Seconds the simulation itself took. */
  readonly seconds: number;
}

/** The options of `simulate` and `report` that describe the replay (`ReplayArgs`), added to `cmd`. */
export function replayOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--input <file>', 'trace CSV (timestamp,value): the demand, one row per step')
    .requiredOption('--capacity <load>', 'load one replica serves', numberArg({ positive: true }))
    .requiredOption(
      '--startup-delay <seconds>',
      `seconds from a scale-up to a ready replica (at most ${MAX_STARTUP_DELAY_SEC})`,
      numberArg({ min: 0, max: MAX_STARTUP_DELAY_SEC }),
    )
    .option('--policy <file>', 'YAML policy (keys as in the config file `defaults:`); flags win')
    .option('--model <name>', 'forecast model (default: the policy file, else auto)')
    .option(...EXCLUDE_FLAG);
}

/** The policy of a replay: built-in defaults (no upper bound), then the file, then the flags. */
export function simulationPolicy(o: Pick<ReplayArgs, 'capacity' | 'startupDelay' | 'policy'>): {
  policy: ScalingPolicy;
  model?: string;
} {
  const file = o.policy ? loadPolicyFile(o.policy) : {};
  const { query: _q, model, capacityPerReplica: _c, ...overrides } = overridesFromConfig(file);
  const policy = policyWith(o.capacity, {
    maxReplicas: Number.MAX_SAFE_INTEGER,
    ...overrides,
    startupDelaySec: o.startupDelay,
  });
  if (policy.minReplicas > policy.maxReplicas) {
    throw new PrescaleError('E_CONFIG', `${o.policy}: min ${policy.minReplicas} is above max ${policy.maxReplicas}`);
  }
  return { policy, model };
}

/**
 * Refuses a trace the replay cannot score or should not run: no scored step after the 3-day
 * warm-up, a peak needing more than MAX_REPLICAS replicas at --capacity, a startup delay of more
 * than MAX_HORIZON_STEPS of the trace's steps. E_INPUT naming the file or the flag.
 */
function checkTrace(series: RegularSeries, o: ReplayArgs): void {
  const n = series.values.length;
  const day = contextOf(series).seasonDay;
  const days = (steps: number) => ((steps * series.step) / DAY_SECONDS).toFixed(1);
  if (scoredFrom(n, day) >= n) {
    throw new PrescaleError(
      'E_INPUT',
      `${o.input}: ${n} steps of ${series.step} s (${days(n)} days); the replay scores what follows a 3-day warm-up, so it needs more than ${3 * day} steps`,
    );
  }
  const peak = series.values.reduce((m, v) => Math.max(m, v), 0);
  if (peak / o.capacity > MAX_REPLICAS) {
    throw new PrescaleError(
      'E_INPUT',
      `--capacity ${o.capacity}: the trace's peak ${peak} would need ${Math.ceil(peak / o.capacity)} replicas, more than ${MAX_REPLICAS} (is the capacity in the trace's unit?)`,
    );
  }
  const horizon = Math.ceil(o.startupDelay / series.step) + 2;
  if (horizon > MAX_HORIZON_STEPS) {
    throw new PrescaleError(
      'E_INPUT',
      `--startup-delay ${o.startupDelay}: ${horizon} forecast steps of ${series.step} s, more than ${MAX_HORIZON_STEPS}`,
    );
  }
}

/**
 * The replay `simulate` and `report` share: reads and checks the trace, replays it through the
 * forecaster and planner (simulate) and scores it against the reactive HPA and the oracle. The
 * forecast walk runs on `threads` cores (default: walkThreads), with the same forecasts as on one.
 */
export async function runReplay(
  o: ReplayArgs,
  onProgress?: (phase: ReplayPhase, done: number, total: number) => void,
  threads?: number,
): Promise<ReplayRun> {
  const { policy, model: fileModel } = simulationPolicy(o);
  const model = o.model ?? fileModel ?? 'auto';
  const filled = fillGaps(readHistory(o.input, o.exclude));
  const series: RegularSeries = { ...filled, values: filled.values.map((v) => Math.max(0, v)) };
  checkTrace(series, o);
  const t0 = performance.now();
  const opts = { forecast: { model }, onProgress };
  // the horizon simulate() would choose: what the planner looks at
  const horizon = Math.ceil(policy.startupDelaySec / series.step) + 2;
  const walk = await parallelWalk(series, horizon, opts, threads ?? walkThreads(series), onProgress);
  const sim = simulate(series, policy, opts, walk);
  const seconds = (performance.now() - t0) / 1000;
  const seasonDay = contextOf(series).seasonDay;
  const delaySteps = Math.ceil(policy.startupDelaySec / series.step);
  const cmp = compareWithReferences(series.values, sim.replicas, policy.capacityPerReplica, delaySteps, seasonDay);
  return { series, policy, model, delaySteps, seasonDay, sim, cmp, seconds };
}

/** A progress display on stderr. */
export interface Progress {
  update(phase: string, done: number, total: number): void;
  stop(): void;
}

/**
 * Progress on stderr: a bar (cli-progress) when stderr is a terminal; otherwise one line per
 * quarter of each phase, so a log or a CI job shows the work moving without a line per step.
 */
export function stderrProgress(command: string): Progress {
  if (process.stderr.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${command} |{bar}| {phase} {done}/{steps} steps | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = '';
    return {
      update(phase, done, total) {
        if (phase !== started) {
          if (started) bar.stop();
          bar.start(total, 0, { phase, done: 0, steps: total });
          started = phase;
        }
        bar.update(done, { phase, done, steps: total });
      },
      stop: () => started && bar.stop(),
    };
  }
  const shown = new Map<string, number>();
  return {
    update(phase, done, total) {
      const quarter = Math.floor((4 * done) / Math.max(total, 1));
      if (quarter > (shown.get(phase) ?? 0)) {
        shown.set(phase, quarter);
        process.stderr.write(`${command}: ${phase} ${25 * quarter} % (${done}/${total} steps)\n`);
      }
    },
    stop: () => undefined,
  };
}

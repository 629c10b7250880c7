import type { Command } from 'commander';
import { writeCsv } from '../adapters/sources/csv.js';
import { EXCLUDE_FLAG, readHistory } from './history.js';
import { policyWith } from '../config/defaults.js';
import { loadPolicyFile } from '../config/schema.js';
import { overridesFromConfig } from '../config/service-spec.js';
import { PrescaleError } from '../core/domain/errors.js';
import type { ScalingPolicy } from '../core/domain/policy.js';
import { MAX_HORIZON_STEPS, MAX_REPLICAS, MAX_STARTUP_DELAY_SEC } from '../core/domain/limits.js';
import { DAY_SECONDS, timeAt, type RegularSeries } from '../core/domain/series.js';
import { contextOf } from '../core/forecast/forecaster.js';
import { fillGaps } from '../core/series/regular.js';
import { compareWithReferences, scoredFrom, type PolicyScore } from '../core/simulate/index.js';
import { simulate } from '../core/simulate/simulate.js';
import { numberArg } from './options.js';

interface SimulateOptions {
  exclude?: string;
  input: string;
  capacity: number;
  startupDelay: number;
  output: string;
  policy?: string;
  model?: string;
  json?: boolean;
}

/** The policy of a replay: built-in defaults (no upper bound), then the file, then the flags. */
export function simulationPolicy(o: Pick<SimulateOptions, 'capacity' | 'startupDelay' | 'policy'>): {
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
function checkTrace(series: RegularSeries, o: Pick<SimulateOptions, 'input' | 'capacity' | 'startupDelay'>): void {
  const n = series.values.length;
  const day = contextOf(series).seasonDay;
  const days = (steps: number) => ((steps * series.step) / DAY_SECONDS).toFixed(1);
  if (scoredFrom(n, day) >= n) {
    throw new PrescaleError(
      'E_INPUT',
      `${o.input}: ${n} steps of ${series.step} s (${days(n)} days); simulate scores what follows a 3-day warm-up, so it needs more than ${3 * day} steps`,
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

function row(name: string, s: PolicyScore): string {
  return `${name.padEnd(10)} ${s.unservedPct.toFixed(3).padStart(9)} % ${s.underStepsPct.toFixed(2).padStart(8)} % ${s.costVsOracle
    .toFixed(3)
    .padStart(8)} ${String(s.actions).padStart(8)}`;
}

/**
 * `prescale simulate --input TRACE.csv --capacity C --startup-delay SECONDS --output SCHEDULE.csv
 * [--policy FILE.yaml]` — a contract: replays the trace as demand through the forecaster and the
 * planner, writes `timestamp,replicas` for every step of the input, and prints the score against
 * the reactive HPA algorithm and the oracle over the trace's last 7 days.
 */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'Replay a load trace through the forecaster and planner; score it against reactive scaling and the oracle',
    )
    .requiredOption('--input <file>', 'trace CSV (timestamp,value): the demand, one row per step')
    .requiredOption('--capacity <load>', 'load one replica serves', numberArg({ positive: true }))
    .requiredOption(
      '--startup-delay <seconds>',
      `seconds from a scale-up to a ready replica (at most ${MAX_STARTUP_DELAY_SEC})`,
      numberArg({ min: 0, max: MAX_STARTUP_DELAY_SEC }),
    )
    .requiredOption('--output <file>', 'CSV to write (timestamp,replicas)')
    .option('--policy <file>', 'YAML policy (keys as in the config file `defaults:`); flags win')
    .option('--model <name>', 'forecast model (default: the policy file, else auto)')
    .option('--json', 'print the summary as JSON')
    .option(...EXCLUDE_FLAG)
    .action((o: SimulateOptions) => {
      const { policy, model } = simulationPolicy(o);
      const filled = fillGaps(readHistory(o.input, o.exclude));
      const series: RegularSeries = { ...filled, values: filled.values.map((v) => Math.max(0, v)) };
      checkTrace(series, o);
      const t0 = performance.now();
      const sim = simulate(series, policy, { forecast: { model: o.model ?? model ?? 'auto' } });
      const seconds = (performance.now() - t0) / 1000;
      writeCsv(
        o.output,
        ['timestamp', 'replicas'],
        sim.replicas.map((r, i) => [timeAt(series, i), r]),
      );
      const ctx = contextOf(series);
      const delaySteps = Math.ceil(policy.startupDelaySec / series.step);
      const cmp = compareWithReferences(
        series.values,
        sim.replicas,
        policy.capacityPerReplica,
        delaySteps,
        ctx.seasonDay,
      );
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ ...cmp, seconds, refits: sim.refits, reasons: sim.reasons }, null, 1)}\n`,
        );
      } else {
        const days = ((series.values.length - cmp.scoredFrom) * series.step) / DAY_SECONDS;
        process.stdout.write(
          `replayed ${series.values.length} steps of ${series.step}s in ${seconds.toFixed(1)}s (${sim.refits} refits); scored the last ${days.toFixed(1)} days\n` +
            `policy      unserved    under-cap  cost/oracle  actions\n` +
            `${row('prescale', cmp.prescale)}\n${row('reactive', cmp.reactive)}\n${row('oracle', cmp.oracle)}\n`,
        );
      }
      process.stderr.write(`wrote ${sim.replicas.length} rows to ${o.output}\n`);
    });
}

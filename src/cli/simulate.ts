import type { Command } from 'commander';
import { writeCsv } from '../adapters/sources/csv.js';
import { DAY_SECONDS, timeAt } from '../core/domain/series.js';
import type { PolicyScore } from '../core/simulate/index.js';
import { replayOptions, runReplay, type ReplayArgs } from './replay.js';

interface SimulateOptions extends ReplayArgs {
  output: string;
  json?: boolean;
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
  replayOptions(
    program
      .command('simulate')
      .description(
        'Replay a load trace through the forecaster and planner; score it against reactive scaling and the oracle',
      ),
  )
    .requiredOption('--output <file>', 'CSV to write (timestamp,replicas)')
    .option('--json', 'print the summary as JSON')
    .action(async (o: SimulateOptions) => {
      const { series, sim, cmp, seconds, policy } = await runReplay(o);
      writeCsv(
        o.output,
        ['timestamp', 'replicas'],
        sim.replicas.map((r, i) => [timeAt(series, i), r]),
      );
      const within = sim.tunings.filter((t) => t.code === 'WithinBudget').length;
      const tunings = { count: sim.tunings.length, withinBudget: within, budgetPct: policy.targetUnserved };
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ ...cmp, seconds, refits: sim.refits, reasons: sim.reasons, tunings }, null, 1)}\n`,
        );
      } else {
        const days = ((series.values.length - cmp.scoredFrom) * series.step) / DAY_SECONDS;
        process.stdout.write(
          `replayed ${series.values.length} steps of ${series.step}s in ${seconds.toFixed(1)}s (${sim.refits} refits); scored the last ${days.toFixed(1)} days\n` +
            `policy      unserved    under-cap  cost/oracle  actions\n` +
            `${row('prescale', cmp.prescale)}\n${row('reactive', cmp.reactive)}\n${row('oracle', cmp.oracle)}\n` +
            tuningLine(tunings),
        );
      }
      process.stderr.write(`wrote ${sim.replicas.length} rows to ${o.output}\n`);
    });
}

/** The text output's tuning line: with a miss budget (below 100 %), how many tunings kept to it. */
function tuningLine(t: { count: number; withinBudget: number; budgetPct: number }): string {
  if (!t.count) return '';
  if (t.budgetPct >= 100) return `daily tunings: ${t.count} (miss price, no miss budget)\n`;
  return `daily tunings: ${t.count}, ${t.withinBudget} of them kept to the ${t.budgetPct} % miss budget on their replayed week\n`;
}

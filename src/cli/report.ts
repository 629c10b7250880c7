import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { PrescaleError } from '../core/domain/errors.js';
import { buildReport } from '../report/index.js';
import { replayOptions, runReplay, stderrProgress, type ReplayArgs } from './replay.js';

interface ReportOptions extends ReplayArgs {
  output: string;
}

/**
 * `prescale report --input HISTORY.csv --capacity C --startup-delay SECONDS --output report.html
 * [--policy FILE.yaml]` — a contract: the replay of `simulate` (the same function, runReplay)
 * drawn as one self-contained HTML page: demand against ready capacity of prescale and of the
 * reactive HPA over the scored week, the summary table, and the reactive HPA's cost/miss frontier
 * with prescale's point on it. Progress on stderr.
 */
export function registerReport(program: Command): void {
  replayOptions(
    program
      .command('report')
      .description('Replay a load history as `simulate` does and write a self-contained HTML report of it'),
  )
    .requiredOption('--output <file>', 'HTML file to write')
    .action(async (o: ReportOptions) => {
      // refused before the replay's seconds are spent
      if (!existsSync(dirname(resolve(o.output)))) {
        throw new PrescaleError(
          'E_INPUT',
          `--output ${o.output}: cannot write: no folder ${dirname(resolve(o.output))}`,
        );
      }
      const progress = stderrProgress('report');
      let run;
      try {
        run = await runReplay(o, (phase, done, total) => progress.update(phase, done, total));
      } finally {
        progress.stop();
      }
      const html = await buildReport({
        input: o.input,
        policyFile: o.policy,
        model: run.model,
        series: run.series,
        policy: run.policy,
        delaySteps: run.delaySteps,
        seasonDay: run.seasonDay,
        replicas: run.sim.replicas,
        cmp: run.cmp,
        refits: run.sim.refits,
        reasons: run.sim.reasons,
        tunings: run.sim.tunings.length,
        seconds: run.seconds,
      });
      try {
        writeFileSync(o.output, html);
      } catch (err) {
        throw new PrescaleError('E_INPUT', `--output ${o.output}: cannot write: ${(err as Error).message}`, {
          cause: err,
        });
      }
      process.stderr.write(`wrote ${o.output} (${(html.length / 1024).toFixed(0)} KiB)\n`);
    });
}

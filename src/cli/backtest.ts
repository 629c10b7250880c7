import type { Command } from 'commander';
import { EXCLUDE_FLAG, readHistory } from './history.js';
import { PrescaleError } from '../core/domain/errors.js';
import { MAX_HORIZON_STEPS, MAX_ORIGINS } from '../core/domain/limits.js';
import { evaluateSeries, geometricMean, type ModelScore } from '../core/forecast/evaluate.js';
import { AUTO_CANDIDATES, modelNames } from '../core/forecast/registry.js';
import { fillGaps, resample } from '../core/series/regular.js';
import { numberArg } from './options.js';

interface BacktestOptions {
  exclude?: string;
  horizon: number;
  origins: number;
  models?: string;
  windowDays: number;
  evalDays: number;
  resample?: number;
  json?: boolean;
}

/** The --resample step for a file at `step`: a whole multiple of it, else E_INPUT naming the flag. */
function resampleStep(to: number, step: number, file: string): number {
  if (to % step !== 0) {
    throw new PrescaleError(
      'E_INPUT',
      `--resample ${to}: ${file} has a ${step} s step; give a whole multiple of it (${step}, ${2 * step}, …)`,
    );
  }
  return to;
}

function table(rows: readonly ModelScore[]): string {
  const head = `  ${'model'.padEnd(24)} ${'MASE'.padStart(7)} ${'sMAPE%'.padStart(7)} ${'p90 cov'.padStart(8)} ${'fit ms'.padStart(8)}`;
  const lines = rows.map(
    (s) =>
      `  ${s.model.padEnd(24)} ${s.mase.toFixed(3).padStart(7)} ${s.smape.toFixed(1).padStart(7)} ${(100 * s.coverage).toFixed(1).padStart(7)}% ${s.fitMs.toFixed(1).padStart(8)}${s.fallbacks ? `  (fell back at ${s.fallbacks} of ${s.origins} origins)` : ''}`,
  );
  return [head, ...lines].join('\n');
}

/**
 * `prescale backtest --input FILE.csv... --horizon N [--origins K]` — rolling-origin evaluation of
 * every model on each file (src/core/forecast/evaluate.ts): MASE, sMAPE, p90 coverage and fit time per
 * file and overall (geometric mean of MASE across files); `--json` for machines.
 */
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('Rolling-origin evaluation of every forecast model on history files')
    .requiredOption('--input <files...>', 'history CSV files (timestamp,value)')
    .requiredOption(
      '--horizon <n>',
      `steps ahead to forecast at each origin (at most ${MAX_HORIZON_STEPS})`,
      numberArg({ integer: true, min: 1, max: MAX_HORIZON_STEPS }),
    )
    .option(
      '--origins <k>',
      `origins per file, spread over the evaluation days (at most ${MAX_ORIGINS})`,
      numberArg({ integer: true, min: 1, max: MAX_ORIGINS }),
      8,
    )
    .option(
      '--models <list>',
      `comma-separated models (default: auto and its candidates); valid: ${modelNames().join(', ')}`,
    )
    .option('--window-days <days>', 'training window before each origin', numberArg({ positive: true }), 14)
    .option('--eval-days <days>', 'the origins lie in the last this many days', numberArg({ positive: true }), 7)
    .option(
      '--resample <seconds>',
      "average to this step first, a whole multiple of the files' step (e.g. 300 for 1-minute data)",
      numberArg({ integer: true, positive: true }),
    )
    .option('--json', 'print JSON instead of tables')
    .option(...EXCLUDE_FLAG)
    .action((o: BacktestOptions & { input: string[] }) => {
      const models = modelsOf(o.models);
      const results = o.input.map((file) => backtestFile(file, o, models));
      const overall = overallScores(results, models);
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ horizon: o.horizon, origins: o.origins, files: results, overall }, null, 1)}\n`,
        );
        return;
      }
      process.stdout.write(`overall (${results.length} files; MASE is the geometric mean)\n`);
      process.stdout.write(
        `${overall
          .map(
            (s) =>
              `  ${s.model.padEnd(24)} ${s.maseGeoMean.toFixed(3).padStart(7)} ${(100 * s.coverage).toFixed(1).padStart(7)}% ${s.fitMs.toFixed(1).padStart(8)} ms`,
          )
          .join('\n')}\n`,
      );
    });
}

/** The models of --models (default: auto and its candidates), or E_INPUT naming the unknown one. */
function modelsOf(list: string | undefined): string[] {
  const models = list ? list.split(',').map((m) => m.trim()) : ['auto', ...AUTO_CANDIDATES];
  for (const m of models) {
    if (!modelNames().includes(m)) {
      throw new PrescaleError('E_INPUT', `--models: unknown model "${m}"; valid: ${modelNames().join(', ')}`);
    }
  }
  return models;
}

/** One file's scores. */
interface FileResult {
  file: string;
  step: number;
  samples: number;
  scores: readonly ModelScore[];
}

/** Scores every model on one file (its table printed unless --json); an evaluation error is E_INPUT naming the file. */
function backtestFile(file: string, o: BacktestOptions, models: readonly string[]): FileResult {
  let series = fillGaps(readHistory(file, o.exclude));
  if (o.resample !== undefined) series = fillGaps(resample(series, resampleStep(o.resample, series.step, file)));
  let scores: readonly ModelScore[];
  try {
    scores = evaluateSeries(series, {
      horizon: o.horizon,
      origins: o.origins,
      windowDays: o.windowDays,
      evalDays: o.evalDays,
      models,
    }).scores;
  } catch (err) {
    throw new PrescaleError('E_INPUT', `${file}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (!o.json) {
    process.stdout.write(`${file} (${series.values.length} samples at ${series.step}s)\n${table(scores)}\n\n`);
  }
  return { file, step: series.step, samples: series.values.length, scores };
}

/** Each model across the files: the geometric mean of MASE, the mean p90 coverage and fit time. */
function overallScores(results: readonly FileResult[], models: readonly string[]) {
  return models.map((model, i) => ({
    model,
    maseGeoMean: geometricMean(results.map((r) => r.scores[i].mase)),
    coverage: results.reduce((a, r) => a + r.scores[i].coverage, 0) / results.length,
    fitMs: results.reduce((a, r) => a + r.scores[i].fitMs, 0) / results.length,
  }));
}

import type { Command } from 'commander';
import { writeCsv } from '../adapters/sources/csv.js';
import { EXCLUDE_FLAG, readHistory } from './history.js';
import { PrescaleError } from '../core/domain/errors.js';
import { MAX_HORIZON_STEPS } from '../core/domain/limits.js';
import { forecastSeries, modelNames, type ForecastModel } from '../core/forecast/forecaster.js';
import { numberArg } from './options.js';

/**
 * `prescale forecast --input HISTORY.csv --horizon N --output FORECAST.csv [--model NAME]
 * [--model-path DIR]` — a contract: writes `timestamp,p50,p90` and exactly N rows continuing the
 * input's step. `--model-path` loads an LSTM written by `prescale train`: it is then `--model
 * lstm`, or one more candidate of `auto`.
 */
export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('Forecast a history file: p50 and p90 for the next N steps')
    .requiredOption('--input <file>', 'history CSV (timestamp,value; unix seconds or ISO-8601)')
    .requiredOption(
      '--horizon <n>',
      `number of steps to forecast (at most ${MAX_HORIZON_STEPS})`,
      numberArg({ integer: true, min: 0, max: MAX_HORIZON_STEPS }),
    )
    .requiredOption('--output <file>', 'CSV to write (timestamp,p50,p90)')
    .option('--model <name>', `model: ${modelNames().join(', ')}, lstm (with --model-path)`, 'auto')
    .option('--model-path <dir>', 'a trained LSTM (written by prescale train), used by --model lstm or auto')
    .option(...EXCLUDE_FLAG)
    .action(
      async (o: {
        input: string;
        horizon: number;
        output: string;
        model: string;
        modelPath?: string;
        exclude?: string;
      }) => {
        if (o.model === 'lstm' && o.modelPath === undefined) {
          throw new PrescaleError('E_INPUT', '--model lstm needs --model-path DIR (a model written by prescale train)');
        }
        if (o.model !== 'lstm' && !modelNames().includes(o.model)) {
          throw new PrescaleError('E_INPUT', `--model ${o.model}: unknown; valid: ${modelNames().join(', ')}, lstm`);
        }
        const series = readHistory(o.input, o.exclude);
        const extraModels: ForecastModel[] = [];
        if (o.modelPath !== undefined) {
          // TensorFlow.js loads only when a model is asked for
          const { loadLstm } = await import('../adapters/models/lstm/index.js');
          const lstm = await loadLstm(o.modelPath);
          if (o.model === 'lstm' && lstm.metadata.data.step !== series.step) {
            throw new PrescaleError(
              'E_MODEL',
              `${o.modelPath} was trained at a ${lstm.metadata.data.step} s step, ${o.input} has ${series.step} s`,
            );
          }
          extraModels.push(lstm);
        }
        const fc = forecastSeries(series, o.horizon, { model: o.model, extraModels });
        writeCsv(
          o.output,
          ['timestamp', 'p50', 'p90'],
          fc.p50.map((v, i) => [fc.start + i * fc.step, +v.toPrecision(10), +fc.p90[i].toPrecision(10)]),
        );
        for (const note of fc.notes) process.stderr.write(`note: ${note.message}\n`);
        process.stderr.write(`model ${fc.model}: wrote ${fc.p50.length} steps to ${o.output}\n`);
      },
    );
}

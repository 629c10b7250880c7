import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { EXCLUDE_FLAG, readHistory } from './history.js';
import { PrescaleError } from '../core/domain/errors.js';
import { contextOf } from '../core/forecast/forecaster.js';
import { minTrainingSamples } from '../adapters/models/lstm/features.js';
import { createLogger } from '../observability/logger.js';
import { countGaps, fillGaps } from '../core/series/regular.js';
import { MAX_HORIZON_STEPS } from '../core/domain/limits.js';
import { numberArg } from './options.js';
import type { ModelContext } from '../core/forecast/contract.js';
import type { RegularSeries } from '../core/domain/series.js';
import type { LstmMetadata } from '../adapters/models/lstm/index.js';

/** Models `train` can build. */
const TRAINABLE = ['lstm'];

interface TrainArgs {
  exclude?: string;
  input: string;
  model: string;
  out: string;
  horizon: number;
  epochs: number;
  seed: number;
  validationSplit: number;
  patience: number;
}

/**
 * `prescale train --input HISTORY.csv --model lstm --out models/NAME [--horizon N] [--epochs N]
 * [--seed N] [--validation-split F] [--patience N]` — trains the LSTM on a history file (at the
 * file's own step), holds out its last day to score it, and writes models/NAME/{model.json,
 * weights.bin,metadata.json}. `prescale forecast --model lstm --model-path models/NAME` uses it.
 */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train a forecasting model (lstm) on a history file and save it to a directory')
    .requiredOption('--input <file>', 'history CSV (timestamp,value; unix seconds or ISO-8601)')
    .requiredOption('--out <dir>', 'directory to write (model.json, weights.bin, metadata.json)')
    .option('--model <name>', `model to train: ${TRAINABLE.join(', ')}`, 'lstm')
    .option(
      '--horizon <n>',
      'steps forecast directly (at most one day)',
      numberArg({ integer: true, min: 1, max: MAX_HORIZON_STEPS }),
      12,
    )
    .option('--epochs <n>', 'most training epochs', numberArg({ integer: true, min: 1, max: 1000 }), 30)
    .option('--seed <n>', 'seed of the initial weights and the shuffles', numberArg({ integer: true, min: 0 }), 42)
    .option(
      '--validation-split <f>',
      'share of the training windows, the latest, used for validation',
      numberArg({ positive: true, max: 0.9 }),
      0.2,
    )
    .option(
      '--patience <n>',
      'epochs without a better validation loss before stopping',
      numberArg({ integer: true, min: 1 }),
      5,
    )
    .option(...EXCLUDE_FLAG)
    .action(async (o: TrainArgs) => {
      const { series, ctx } = trainingSeries(o);
      const meta = await trainAndSave(series, ctx, o);
      process.stdout.write(summaryLines(meta, o.out).join('\n') + '\n');
    });
}

/** The gap-filled history of --input and its context, or E_INPUT naming the flag or file that cannot be trained on. */
function trainingSeries(o: TrainArgs): { series: RegularSeries; ctx: ModelContext } {
  if (!TRAINABLE.includes(o.model)) {
    throw new PrescaleError('E_INPUT', `--model ${o.model}: cannot be trained; valid: ${TRAINABLE.join(', ')}`);
  }
  const regular = readHistory(o.input, o.exclude);
  const gaps = countGaps(regular);
  const series = fillGaps(regular);
  const ctx = contextOf(series);
  if (o.horizon > ctx.seasonDay) {
    throw new PrescaleError(
      'E_INPUT',
      `--horizon ${o.horizon}: at most one day (${ctx.seasonDay} steps at ${ctx.step} s)`,
    );
  }
  const need = minTrainingSamples(ctx, o.horizon);
  if (series.values.length < need) {
    const days = (n: number) => ((n * ctx.step) / 86_400).toFixed(1);
    throw new PrescaleError(
      'E_INPUT',
      `${o.input}: history too short for the LSTM: ${series.values.length} samples (${days(series.values.length)} days), ` +
        `needs ${need} (${days(need)} days at a ${ctx.step} s step)`,
    );
  }
  if (gaps) process.stderr.write(`note: ${gaps} missing samples filled by interpolation\n`);
  return { series, ctx };
}

/** Trains the LSTM with progress on stderr (a bar on a terminal, a line per epoch otherwise) and saves it to --out. */
async function trainAndSave(series: RegularSeries, ctx: ModelContext, o: TrainArgs): Promise<LstmMetadata> {
  // TensorFlow.js loads only for this command
  const { initBackend, saveLstm, trainLstm } = await import('../adapters/models/lstm/index.js');
  const backend = await initBackend(createLogger({ name: 'train' }));
  const tty = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'training |{bar}| epoch {value}/{total} | loss {loss} | val {val} | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  if (tty) bar.start(o.epochs, 0, { loss: '-', val: '-' });
  const trained = await trainLstm(series.values, ctx, {
    horizon: o.horizon,
    epochs: o.epochs,
    seed: o.seed,
    validationSplit: o.validationSplit,
    patience: o.patience,
    onEpoch: (epoch, loss, valLoss) => {
      if (tty) bar.update(epoch, { loss: loss.toFixed(4), val: valLoss.toFixed(4) });
      else process.stderr.write(`epoch ${epoch}/${o.epochs} loss ${loss.toFixed(4)} val ${valLoss.toFixed(4)}\n`);
    },
  }).finally(() => {
    if (tty) bar.stop();
  });
  return saveLstm(o.out, trained, {
    source: o.input,
    backend: backend.name,
    validationSplit: o.validationSplit,
    patience: o.patience,
  });
}

/** What `train` prints: the data, the epochs, the losses, the holdout and the files written. */
function summaryLines(meta: LstmMetadata, out: string): string[] {
  const t = meta.training;
  const b = meta.backtest; // the holdout's scores, under the key of format prescale-lstm/1
  return [
    `trained lstm on ${meta.data.samples} samples, ${meta.data.firstIso} to ${meta.data.lastIso} at ${meta.data.step} s ` +
      `(window ${meta.window}, horizon ${meta.horizon})`,
    `epochs: ${t.epochs} of ${t.maxEpochs}${t.stoppedEarly ? ', stopped early' : ''}, best ${t.bestEpoch}; ` +
      `${t.seconds.toFixed(1)} s, ${t.epochsPerSecond.toFixed(2)} epochs/s on ${meta.backend} (tfjs ${meta.versions.tfjs})`,
    `loss: ${t.loss.toFixed(4)}, val loss: ${t.valLoss.toFixed(4)} (MSE of z-scored values; ${t.trainWindows} training, ${t.valWindows} validation windows)`,
    `holdout on the held-out last day (${b.origins} origins, ${b.horizon} steps): MASE lstm ${b.maseLstm.toFixed(3)}, ` +
      `seasonal naive ${b.maseSeasonalNaive.toFixed(3)}`,
    `wrote ${out}/model.json, weights.bin, metadata.json`,
  ];
}

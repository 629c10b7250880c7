import { Command, CommanderError } from 'commander';
import type { Clock } from '../core/domain/clock.js';
import { describeError, isPrescaleError, type ErrorCode } from '../core/domain/errors.js';
import { registerBacktest } from './backtest.js';
import { registerFetch } from './fetch.js';
import { registerForecast } from './forecast.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerTrain } from './train.js';

/** Exit codes: 0 success, 1 the work failed, 2 the command line, an input file or the config was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Errors in what the user gave (flags, files, config, labels): exit 2, as the README promises. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['E_CONFIG', 'E_INPUT', 'E_LABEL']);

/** What an embedding program (or a test) may inject into the commands. */
export interface CliOptions {
  /** The planning clock of `serve` (default: the system clock). */
  readonly clock?: Clock;
}

/** Builds the `prescale` command tree. Each command lives in its own file and registers itself. */
export function buildProgram(options: CliOptions = {}): Command {
  const program = new Command('prescale')
    .description('Predictive autoscaler for Docker Swarm and Compose services')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const registers: Array<(program: Command, options: CliOptions) => void> = [
    registerFetch,
    registerForecast,
    registerBacktest,
    registerTrain,
    registerSimulate,
    registerReport,
    registerRun,
    registerServe,
  ];
  for (const register of registers) register(program, options);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(add --help for usage)');
  return program;
}

/** Runs the CLI and returns the process exit code; never throws. */
export async function main(argv: string[], options: CliOptions = {}): Promise<number> {
  const program = buildProgram(options);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successes; the rest are usage errors commander already printed
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help'
        ? EXIT_OK
        : EXIT_USAGE;
    }
    const code = isPrescaleError(err) ? err.code : 'E_UNEXPECTED';
    process.stderr.write(`prescale: ${code}: ${describeError(err)}\n`);
    return isPrescaleError(err) && USAGE_CODES.has(err.code) ? EXIT_USAGE : EXIT_FAILURE;
  }
}

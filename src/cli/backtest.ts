import type { Command } from 'commander';

/** Placeholder until the `backtest` command lands. */
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('(backtest: not built yet)')
    .action(() => {
      throw new Error('backtest is not built yet');
    });
}

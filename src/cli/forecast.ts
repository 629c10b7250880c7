import type { Command } from 'commander';

/** Placeholder until the `forecast` command lands. */
export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('(forecast: not built yet)')
    .action(() => {
      throw new Error('forecast is not built yet');
    });
}

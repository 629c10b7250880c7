import type { Command } from 'commander';

/** Placeholder until the `run` command lands. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('(run: not built yet)')
    .action(() => {
      throw new Error('run is not built yet');
    });
}

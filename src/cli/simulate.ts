import type { Command } from 'commander';

/** Placeholder until the `simulate` command lands. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('(simulate: not built yet)')
    .action(() => {
      throw new Error('simulate is not built yet');
    });
}

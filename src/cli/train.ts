import type { Command } from 'commander';

/** Placeholder until the `train` command lands. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('(train: not built yet)')
    .action(() => {
      throw new Error('train is not built yet');
    });
}

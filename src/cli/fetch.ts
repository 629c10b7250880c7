import type { Command } from 'commander';

/** Placeholder until the `fetch` command lands. */
export function registerFetch(program: Command): void {
  program.command('fetch').description('(fetch: not built yet)').action(() => {
    throw new Error('fetch is not built yet');
  });
}

/**
 * The URL of a worker thread's entry file `name` (without extension) beside the module at
 * `here` (its `import.meta.url`): the compiled `.js` under dist/, the `.ts` source under tsx.
 */
export function workerEntry(name: string, here: string): string {
  const ext = here.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./${name}.${ext}`, here).href;
}

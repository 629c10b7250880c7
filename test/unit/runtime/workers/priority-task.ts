import { lowerThreadPriority } from '../../../../src/runtime/workers/priority.js';

/** Run in a worker thread by packed.test.ts: lowers that thread's priority, says the niceness. */
export default function run(): number | undefined {
  return lowerThreadPriority();
}

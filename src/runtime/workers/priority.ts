import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/**
 * Niceness a worker thread adds to its own: on N cores, N busy workers would otherwise take
 * turns with the main thread, and every API request would wait for its turn. Below the main
 * thread, they still get every cycle it leaves idle.
 */
export const WORKER_NICENESS = 5;

/**
 * Lowers the calling thread's priority (Linux: a thread is a task with its own niceness, named
 * by /proc/thread-self). In the main thread, elsewhere, or when not allowed, nothing changes.
 * Returns the niceness set.
 */
export function lowerThreadPriority(by = WORKER_NICENESS): number | undefined {
  if (isMainThread) return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(tid) || tid <= 0) return undefined;
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}

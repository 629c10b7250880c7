import { Piscina } from 'piscina';
import { PrescaleError } from '../../../core/domain/errors.js';
import type { Samples } from '../../../core/domain/series.js';
import type { ChunkAnswer } from './chunk-worker.js';
import { SizeLimitError } from './limits.js';
import type { ChunkRequest } from './request.js';
import { workerEntry } from '../../../runtime/workers/entry.js';

/**
 * Chunks requested and parsed in a worker thread: with many services the answers' JSON, their
 * gzip and the HTTP client are most of what a cycle does in the main thread, and while the main
 * thread parses it answers no API request. One thread makes many requests at once (they wait on
 * the network); an idle thread does not keep the process alive. It keeps the main thread's
 * priority, unlike the forecast workers: the whole cycle waits on what it parses.
 */
export class ChunkThread {
  private readonly pool: Piscina;

  /** `concurrency`: requests in flight in the thread at once (more wait in its queue). */
  constructor(concurrency = 16) {
    this.pool = new Piscina({
      filename: workerEntry('chunk-worker', import.meta.url),
      minThreads: 0,
      maxThreads: 1,
      concurrentTasksPerWorker: concurrency,
      // kept between cycles (a minute apart by default), not started anew for each
      idleTimeout: 5 * 60_000,
    });
  }

  /**
   * The samples of one chunk, or the PrescaleError the request threw. An aborted `signal` rejects
   * at once with its reason; the request itself ends in the thread at its own timeout.
   */
  async request(req: ChunkRequest, signal?: AbortSignal): Promise<Samples> {
    signal?.throwIfAborted();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const answer = (await Promise.race([this.pool.run(req), aborted])) as ChunkAnswer;
      if ('error' in answer) throw errorOf(answer.error);
      const { timestamps, values, dropped } = answer;
      return { timestamps: Array.from(timestamps), values: Array.from(values), ...(dropped && { dropped }) };
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function errorOf(e: Extract<ChunkAnswer, { error: unknown }>['error']): Error {
  if (!e.code) return new Error(e.message);
  return e.limit ? new SizeLimitError(e.message, e.limit) : new PrescaleError(e.code, e.message);
}

import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import { describeError } from '../../../core/domain/errors.js';
import type { Logger } from '../../../observability/logger.js';
import { ENABLE_LABEL } from '../../../config/labels.js';
import type { EngineChange, EngineWatch } from '../port.js';

/** One `GET /events` subscription: its name (for logs) and its filters. */
export interface EventFeed {
  readonly name: string;
  readonly filters: Readonly<Record<string, readonly string[]>>;
}

/**
 * The engine's filters AND different keys and OR the values of one key, and the label filter
 * matches an event's attributes: service events carry only the service's name, so a label
 * filter would drop them all. Hence two subscriptions: every service event (few: create, update,
 * remove), and the containers labelled for prescale (Compose replicas) being created, destroyed
 * or renamed — start/stop only change replica counts, which every cycle reads anyway.
 */
export const DOCKER_FEEDS: readonly EventFeed[] = Object.freeze<EventFeed[]>([
  { name: 'service', filters: { type: ['service'] } },
  {
    name: 'container',
    filters: { type: ['container'], label: [ENABLE_LABEL], event: ['create', 'destroy', 'rename'] },
  },
]);

/** Opens one event stream (dockerode `getEvents`); rejects when the engine cannot be reached. */
export type OpenEvents = (filters: Readonly<Record<string, readonly string[]>>) => Promise<NodeJS.ReadableStream>;

export interface DockerEventWatchOptions {
  readonly logger?: Logger;
  /** First reconnection delay, doubled on each failure up to `maxDelayMs`. Default 500 ms. */
  readonly initialDelayMs?: number;
  /** Longest reconnection delay. Default 15 s. */
  readonly maxDelayMs?: number;
  /** A stream that lived this long resets the backoff. Default 10 s. */
  readonly healthyAfterMs?: number;
  /** Waits `ms` (or until `signal` aborts); injected by tests. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Random number in [0, 1) for the jitter; injected by tests. */
  readonly random?: () => number;
  readonly now?: () => number;
}

/**
 * Watches `docker events` and reports changes. When a stream ends or fails (dockerd restarted,
 * connection reset) it is opened again after an exponential backoff with jitter ("equal jitter":
 * half the delay fixed, half random; AWS Architecture Blog, "Exponential Backoff And Jitter",
 * 2015), and a `resync` is reported once it is back, as events may have been missed meanwhile.
 */
export class DockerEventWatch implements EngineWatch {
  private readonly abort = new AbortController();
  private readonly streams = new Set<NodeJS.ReadableStream>();
  private loops: Promise<void>[] = [];
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    private readonly open: OpenEvents,
    private readonly feeds: readonly EventFeed[] = DOCKER_FEEDS,
    private readonly options: DockerEventWatchOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined));
  }

  /** A watch on `docker`'s events, with the default feeds. */
  static of(docker: Docker, options: DockerEventWatchOptions = {}): DockerEventWatch {
    return new DockerEventWatch(
      (filters) => docker.getEvents({ filters: filters as Docker.GetEventsOptions['filters'] }),
      DOCKER_FEEDS,
      options,
    );
  }

  /** @inheritdoc */
  start(onChange: (change: EngineChange) => void): void {
    this.loops = this.feeds.map((feed) => this.run(feed, onChange));
  }

  /** @inheritdoc */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const s of this.streams) (s as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    await Promise.all(this.loops);
  }

  private async run(feed: EventFeed, onChange: (change: EngineChange) => void): Promise<void> {
    const log = this.options.logger;
    const now = this.options.now ?? Date.now;
    const initial = this.options.initialDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 15_000;
    const healthy = this.options.healthyAfterMs ?? 10_000;
    const random = this.options.random ?? Math.random;
    let failures = 0;
    let connectedBefore = false;
    while (!this.abort.signal.aborted) {
      let stream: NodeJS.ReadableStream;
      try {
        stream = await this.open(feed.filters);
      } catch (err) {
        if (this.abort.signal.aborted) break;
        const wait = backoff(failures++, initial, max, random);
        // the first failure is worth a warning; the ones while the engine stays down are not
        (failures === 1 ? log?.warn : log?.debug)?.call(
          log,
          { feed: feed.name, err: describeError(err), retryInMs: Math.round(wait) },
          'cannot watch docker events; retrying',
        );
        await this.sleep(wait, this.abort.signal);
        continue;
      }
      if (this.abort.signal.aborted) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        break;
      }
      const openedAt = now();
      if (connectedBefore) {
        log?.info({ feed: feed.name }, 'watching docker events again');
        onChange({ reason: 'resync' });
      } else log?.debug({ feed: feed.name }, 'watching docker events');
      connectedBefore = true;
      const why = await this.consume(stream, onChange);
      if (this.abort.signal.aborted) break;
      if (now() - openedAt >= healthy) failures = 0;
      const wait = backoff(failures++, initial, max, random);
      log?.warn({ feed: feed.name, why, retryInMs: Math.round(wait) }, 'docker events stream ended; reconnecting');
      await this.sleep(wait, this.abort.signal);
    }
  }

  /** Reads newline-delimited JSON events until the stream ends; resolves with why it ended. */
  private consume(stream: NodeJS.ReadableStream, onChange: (change: EngineChange) => void): Promise<string> {
    this.streams.add(stream);
    return new Promise<string>((resolve) => {
      let buffered = '';
      let done = false;
      const finish = (why: string) => {
        if (done) return;
        done = true;
        this.streams.delete(stream);
        resolve(why);
      };
      stream.on('data', (chunk: Buffer | string) => {
        buffered += chunk.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          const change = line ? parseEvent(line) : undefined;
          if (change) onChange(change);
        }
      });
      stream.on('end', () => finish('the engine closed the stream'));
      stream.on('close', () => finish('the connection closed'));
      stream.on('error', (err: unknown) => finish(describeError(err)));
    });
  }
}

/** Delay before reconnection attempt `n` (0-based): equal jitter over a capped doubling. */
export function backoff(n: number, initialMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(n, 30));
  return base / 2 + (random() * base) / 2;
}

/** One event line of `GET /events` (Engine API: Type, Action, Actor.Attributes.name). */
export function parseEvent(line: string): EngineChange | undefined {
  try {
    const e = JSON.parse(line) as { Type?: string; Action?: string; Actor?: { Attributes?: Record<string, string> } };
    if (!e || typeof e !== 'object') return undefined;
    return { reason: 'event', type: e.Type, action: e.Action, name: e.Actor?.Attributes?.name };
  } catch {
    return undefined;
  }
}

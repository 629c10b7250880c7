import type { ScaleTarget } from '../adapters/engines/port.js';
import { describeError } from '../core/domain/errors.js';
import type { Logger } from '../observability/logger.js';

/**
 * What discovery found, as one string: every service's key and labels, and the actuators that
 * failed. Replica counts are left out: they change with every scaling (ours included), and every
 * cycle reads them anyway.
 */
export function fingerprint(targets: readonly ScaleTarget[], failed: readonly string[] = []): string {
  const services = targets
    .map((t) => [t.key, Object.entries(t.labels).sort(([a], [b]) => a.localeCompare(b))] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify({ services, failed: [...failed].sort() });
}

/** changed: a cycle was asked for; unchanged; failed: discovery failed; resync: a cycle after missed events. */
export type RediscoveryResult = 'changed' | 'unchanged' | 'failed' | 'resync';

export interface RediscoveryOptions {
  /** Discovers every service now and returns its fingerprint. */
  readonly discover: () => Promise<string>;
  /** Called when what is discovered changed since the last cycle: run a cycle soon. */
  readonly onChanged: () => void;
  /** Quiet time after the last event before discovering. Default 500 ms. */
  readonly debounceMs?: number;
  /** Longest wait after the first event of a burst. Default 2 s. */
  readonly maxWaitMs?: number;
  readonly onResult?: (result: RediscoveryResult) => void;
  readonly logger?: Logger;
  /** Milliseconds; injected by tests. */
  readonly now?: () => number;
}

/**
 * Engine events, debounced into re-discoveries: a burst of events (a stack deployed, a Compose
 * project scaled) makes one discovery once it settles, or after `maxWaitMs` at the latest. When
 * the services or their labels differ from what the last cycle saw, `onChanged` asks for a cycle
 * at once instead of at the next scheduled one; otherwise nothing happens (our own scaling, a
 * replica restarting). After a gap in the events (the stream was down, e.g. dockerd restarted),
 * anything may have changed, replica counts included: `notify(true)` asks for a cycle regardless.
 */
export class Rediscovery {
  private baseline?: string;
  private timer?: NodeJS.Timeout;
  private firstAt?: number;
  private running?: Promise<void>;
  private again = false;
  private forced = false;
  private stopped = false;

  constructor(private readonly options: RediscoveryOptions) {}

  /** What the latest cycle discovered. */
  setBaseline(fp: string): void {
    this.baseline = fp;
  }

  /** An engine event: discover soon. `resync`: events were missed, plan soon whatever is found. */
  notify(resync = false): void {
    if (this.stopped) return;
    this.forced ||= resync;
    const now = (this.options.now ?? Date.now)();
    this.firstAt ??= now;
    const debounce = this.options.debounceMs ?? 500;
    const latest = this.firstAt + (this.options.maxWaitMs ?? 2000);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.min(now + debounce, latest) - now));
    this.timer.unref?.();
  }

  /** Stops: pending re-discoveries are dropped, a running one is waited for. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private fire(): void {
    this.timer = undefined;
    this.firstAt = undefined;
    if (this.running) {
      // events during a discovery: look again once it is done
      this.again = true;
      return;
    }
    this.running = this.check().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.notify();
      }
    });
  }

  private async check(): Promise<void> {
    if (this.forced) {
      this.forced = false;
      this.options.onResult?.('resync');
      this.options.logger?.info('docker events were missed: planning now');
      this.options.onChanged();
      return;
    }
    let fp: string;
    try {
      fp = await this.options.discover();
    } catch (err) {
      this.options.onResult?.('failed');
      this.options.logger?.debug({ err: describeError(err) }, 're-discovery after an engine event failed');
      return;
    }
    if (this.stopped) return;
    if (fp === this.baseline) {
      this.options.onResult?.('unchanged');
      return;
    }
    this.baseline = fp;
    this.options.onResult?.('changed');
    this.options.logger?.info('services or their labels changed on the engine: planning now');
    this.options.onChanged();
  }
}

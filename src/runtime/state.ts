import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlannerState } from '../core/planner/plan.js';

/** Where planner state lives between cycles and across restarts. */
export interface StateStore {
  get(key: string): PlannerState | undefined;
  set(key: string, state: PlannerState): void;
  /** Persists what changed (no-op for memory). */
  flush(): void;
}

/** State in memory only (one-shot runs, tests). */
export class MemoryStateStore implements StateStore {
  protected readonly states = new Map<string, PlannerState>();
  /** Services with a state. */
  get size(): number {
    return this.states.size;
  }
  get(key: string): PlannerState | undefined {
    return this.states.get(key);
  }
  set(key: string, state: PlannerState): void {
    this.states.set(key, state);
  }
  flush(): void {}
}

/**
 * State in one JSON file under a directory, written atomically (temp file + rename) after each
 * cycle, so that stabilisation windows, last actions and forecast errors survive a restart.
 * A missing or unreadable file starts empty (and is said so by the caller's log).
 */
export class FileStateStore extends MemoryStateStore {
  /** The JSON file. */
  readonly path: string;
  readonly loadError?: string;

  constructor(dir: string) {
    super();
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'planner-state.json');
    try {
      const raw = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, PlannerState>;
      for (const [k, v] of Object.entries(raw)) this.states.set(k, v);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.loadError = `${this.path}: ${(err as Error).message}`;
    }
  }

  override flush(): void {
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.states)));
    renameSync(tmp, this.path);
  }
}

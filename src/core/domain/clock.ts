/** The time, injected so that pure code never reads it and tests can set it. Unix seconds. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() / 1000 };

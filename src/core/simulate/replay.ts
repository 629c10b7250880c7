/**
 * Scoring of replica schedules against a demand trace, exactly as the reference bench does it
 * (../shared/bench/scalebench.py), so that prescale's numbers and the compare:
 * a scale-up requested at step t is ready at t + D (D = startup delay in steps); scale-downs act
 * at once (pending replicas are cancelled first); pending replicas cost as much as running ones;
 * unserved demand at a step is max(0, demand − ready replicas × C). Pure functions over arrays.
 */

export interface ReplayResult {
  /** Ready (serving) replicas per step. */
  readonly running: Float64Array;
  /** Running + pending replicas per step (what is paid for). */
  readonly cost: Float64Array;
}

/**
 * Plays requested replicas forward; `delaySteps` = startup delay in steps (>= 0). Pending
 * replicas are kept as counts per ready-at step (a queue in request order), not one entry per
 * replica, so a schedule of millions of replicas costs what one of ten does.
 */
export function replay(requested: readonly number[], delaySteps: number): ReplayResult {
  const n = requested.length;
  const running = new Float64Array(n);
  const cost = new Float64Array(n);
  if (!n) return { running, cost };
  let ready = Math.trunc(requested[0]);
  // pending[head..]: ready-at steps (ascending: every request waits the same delay) and counts
  const readyAt: number[] = [];
  const count: number[] = [];
  let head = 0;
  let pending = 0;
  for (let t = 0; t < n; t++) {
    while (head < readyAt.length && readyAt[head] <= t) {
      ready += count[head];
      pending -= count[head];
      head++;
    }
    const r = Math.trunc(requested[t]);
    const have = ready + pending;
    if (r > have) {
      const at = t + delaySteps;
      if (readyAt.length > head && readyAt[readyAt.length - 1] === at) count[count.length - 1] += r - have;
      else {
        readyAt.push(at);
        count.push(r - have);
      }
      pending += r - have;
    } else if (r < have) {
      let drop = have - r;
      while (drop && pending) {
        // the newest requests are cancelled first
        const last = count.length - 1;
        const c = Math.min(drop, count[last]);
        count[last] -= c;
        pending -= c;
        drop -= c;
        if (!count[last]) {
          count.pop();
          readyAt.pop();
        }
      }
      ready -= drop;
    }
    running[t] = ready;
    cost[t] = ready + pending;
  }
  return { running, cost };
}

export interface ScheduleScore {
  /** Unserved demand as a percentage of total demand over the scored steps. */
  readonly unservedPct: number;
  /** Percentage of scored steps where demand exceeded ready capacity. */
  readonly underStepsPct: number;
  /** Sum of running + pending replicas over the scored steps. */
  readonly replicaSteps: number;
  /** Steps where the requested replicas changed (within the scored steps). */
  readonly actions: number;
}

/** Scores `requested` against `demand` from step `from` on. */
export function scoreSchedule(
  demand: readonly number[],
  requested: readonly number[],
  capacity: number,
  delaySteps: number,
  from: number,
): ScheduleScore {
  const req = requested.map((r) => Math.trunc(r));
  const { running, cost } = replay(req, delaySteps);
  let total = 0;
  let unserved = 0;
  let under = 0;
  let steps = 0;
  let actions = 0;
  for (let t = from; t < demand.length; t++) {
    const cap = running[t] * capacity;
    total += demand[t];
    unserved += Math.max(0, demand[t] - cap);
    if (demand[t] > cap + 1e-9) under++;
    steps += cost[t];
    if (t > from && req[t] !== req[t - 1]) actions++;
  }
  const n = demand.length - from;
  return {
    unservedPct: (100 * unserved) / Math.max(total, 1e-9),
    underStepsPct: n > 0 ? (100 * under) / n : 0,
    replicaSteps: steps,
    actions,
  };
}

export interface ReactiveOptions {
  readonly targetUtilization?: number;
  readonly tolerance?: number;
  /** Scale-down stabilisation, in decisions (steps). */
  readonly stabilizationSteps?: number;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
}

/**
 * The Kubernetes HPA algorithm as the reference bench models it: at step t, from the load of
 * step t − 1, desired = ceil(load / (C × target)) unless the utilisation ratio is within the
 * tolerance; a scale-down takes the highest desired count of the last `stabilizationSteps`.
 */
export function reactiveHpa(demand: readonly number[], capacity: number, opts: ReactiveOptions = {}): number[] {
  const target = opts.targetUtilization ?? 0.8;
  const tol = opts.tolerance ?? 0.1;
  const stab = opts.stabilizationSteps ?? 5;
  const lo = opts.minReplicas ?? 1;
  const hi = opts.maxReplicas ?? 1e6;
  const out: number[] = [];
  const hist: number[] = [];
  if (!demand.length) return out;
  let cur = Math.max(lo, Math.ceil(demand[0] / (capacity * target)));
  for (let t = 0; t < demand.length; t++) {
    const obs = t ? demand[t - 1] : demand[0];
    const util = cur ? obs / (cur * capacity) : 1e9;
    let desired = Math.abs(util / target - 1) <= tol ? cur : Math.ceil(obs / (capacity * target));
    hist.push(desired);
    if (hist.length > stab) hist.shift();
    if (desired < cur) desired = Math.max(desired, ...hist);
    cur = Math.trunc(Math.min(hi, Math.max(lo, desired)));
    out.push(cur);
  }
  return out;
}

/**
 * Perfect foresight: the fewest replicas with no unserved demand, each scale-up requested
 * `delaySteps` ahead so that it is ready exactly when needed (the cost lower bound).
 */
export function oracleSchedule(
  demand: readonly number[],
  capacity: number,
  delaySteps: number,
  minReplicas = 1,
): number[] {
  const need = demand.map((d) => Math.max(minReplicas, Math.ceil(d / capacity)));
  // the largest need of [t, t + delaySteps] (clamped to the end), as a sliding-window maximum
  // over a deque of indices with decreasing needs: O(n) whatever the delay
  const out = new Array<number>(need.length);
  const window: number[] = [];
  let first = 0; // window[first..] is the deque
  let next = 0;
  for (let t = 0; t < need.length; t++) {
    for (const last = Math.min(need.length - 1, t + delaySteps); next <= last; next++) {
      while (window.length > first && need[window[window.length - 1]] <= need[next]) window.pop();
      window.push(next);
    }
    while (window[first] < t) first++;
    out[t] = need[window[first]];
  }
  return out;
}

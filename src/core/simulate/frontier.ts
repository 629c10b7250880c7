import { referenceScorer, type PolicyScore } from './compare.js';
import { reactiveHpa } from './replay.js';

/** The target utilisations the reference frontier sweeps (../shared/bench/frontier.py --targets). */
export const FRONTIER_TARGETS: readonly number[] = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

export interface FrontierPoint extends PolicyScore {
  /** Target utilisation of the reactive HPA. */
  readonly target: number;
}

/**
 * The cost/miss frontier of the reactive HPA on one trace, as frontier.py sweeps it: the same
 * algorithm as the reference (10 % tolerance, five-decision scale-down stabilisation) at each
 * target utilisation, scored over the same steps against the same oracle as compareWithReferences.
 */
export function reactiveFrontier(
  demand: readonly number[],
  capacity: number,
  delaySteps: number,
  seasonDay: number,
  targets: readonly number[] = FRONTIER_TARGETS,
): FrontierPoint[] {
  const scorer = referenceScorer(demand, capacity, delaySteps, seasonDay);
  return targets.map((target) => ({
    target,
    ...scorer.score(reactiveHpa(demand, capacity, { targetUtilization: target })),
  }));
}

/** np.interp over increasing xs, but null outside [xs[0], xs[last]] as frontier.py does (NaN there). */
function interpolate(x: number, xs: readonly number[], ys: readonly number[]): number | null {
  if (!xs.length || x < xs[0] || x > xs[xs.length - 1]) return null;
  let i = 0;
  while (i < xs.length - 1 && xs[i + 1] < x) i++;
  if (i === xs.length - 1 || xs[i + 1] === xs[i]) return ys[i];
  return ys[i] + ((ys[i + 1] - ys[i]) * (x - xs[i])) / (xs[i + 1] - xs[i]);
}

/** Where a policy's point lies against the reactive frontier. */
export interface FrontierPosition {
  /** Unserved % of the reactive HPA at the same replica cost (frontier interpolated); null off its range. */
  readonly reactiveUnservedAtSameCost: number | null;
  /** Replica cost / oracle the reactive HPA needs for the same unserved %; null off its range. */
  readonly reactiveCostForSameUnserved: number | null;
}

/** frontier.py's two comparisons: the frontier's misses at this cost, and its cost at these misses. */
export function positionOnFrontier(
  frontier: readonly Pick<PolicyScore, 'unservedPct' | 'costVsOracle'>[],
  point: Pick<PolicyScore, 'unservedPct' | 'costVsOracle'>,
): FrontierPosition {
  // stable sorts, as numpy's argsort on the few points there are
  const byCost = [...frontier].sort((a, b) => a.costVsOracle - b.costVsOracle);
  const byUnserved = [...frontier].sort((a, b) => a.unservedPct - b.unservedPct);
  return {
    reactiveUnservedAtSameCost: interpolate(
      point.costVsOracle,
      byCost.map((p) => p.costVsOracle),
      byCost.map((p) => p.unservedPct),
    ),
    reactiveCostForSameUnserved: interpolate(
      point.unservedPct,
      byUnserved.map((p) => p.unservedPct),
      byUnserved.map((p) => p.costVsOracle),
    ),
  };
}

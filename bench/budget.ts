/**
 * The miss budget (`targetUnserved`) swept on the scaling bench's traces: for each budget, the
 * mean unserved demand, cost and actions over the traces, and how far the budget can be trusted —
 * of the daily tunings whose replayed week kept to the budget, the share whose following week
 * (as the service then ran it, re-tuned daily) kept to it too. Beside it, the reactive HPA at
 * target utilisations 0.4–0.95 on the same scoring.
 */
import { reactiveHpa, scoreSchedule, compareWithReferences } from '../src/core/simulate/index.js';
import type { PolicyScore, SimulationResult } from '../src/core/simulate/index.js';

export const BUDGETS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2] as const;
export const REACTIVE_TARGETS = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95] as const;

interface Trace {
  readonly name: string;
  readonly series: { readonly start: number; readonly step: number; readonly values: number[] };
  readonly C: number;
  readonly D: number;
  readonly m: number;
}

export interface BudgetPoint {
  readonly budgetPct: number;
  readonly mean: { unservedPct: number; costVsOracle: number; actions: number };
  /** Traces whose scored week kept to the budget. */
  readonly tracesWithin: number;
  /** Daily tunings that claimed the budget (their replayed week kept to it) with a whole week after them. */
  readonly claims: number;
  /** Of those, the ones whose following week kept to it. */
  readonly held: number;
  /** Tunings that found no policy within the budget (OverBudget). */
  readonly overBudget: number;
  readonly tunings: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per tuning of a run: did its claim hold on the 7 days that followed? */
function claimsOf(t: Trace, sim: SimulationResult, budget: number) {
  const week = 7 * t.m;
  const y = t.series.values;
  let claims = 0;
  let held = 0;
  let over = 0;
  for (const tuning of sim.tunings) {
    if (tuning.code === 'OverBudget') over++;
    const at = Math.round((tuning.at - t.series.start) / t.series.step);
    if (tuning.code !== 'WithinBudget' || at + week > y.length) continue;
    claims++;
    const next = scoreSchedule(y.slice(0, at + week), sim.replicas.slice(0, at + week), t.C, t.D, at);
    if (next.unservedPct <= budget) held++;
  }
  return { claims, held, over, tunings: sim.tunings.length };
}

/** Runs the sweep; `run` simulates a trace under a budget (on the bench's shared forecasts). */
export function budgetSweep<T extends Trace>(
  traces: readonly T[],
  run: (t: T, budgetPct: number) => { sim: SimulationResult; cmp: { prescale: PolicyScore } },
  say: (line?: string) => void,
  againstFrontier: (point: { unservedPct: number; costVsOracle: number }) => { ratioAtSameCost: number | null },
): BudgetPoint[] {
  say();
  say('## The miss budget swept (mean over the traces), and whether it held on the week after');
  say();
  say(
    '| budget | unserved | cost vs oracle | actions | ratio to the reactive at that cost | traces within | claims held on the next week | tunings over budget |',
  );
  say('|---|---|---|---|---|---|---|---|');
  const points: BudgetPoint[] = [];
  for (const b of BUDGETS) {
    const res = traces.map((t) => ({ t, ...run(t, b) }));
    const c = res.map((r) => claimsOf(r.t, r.sim, b));
    const point: BudgetPoint = {
      budgetPct: b,
      mean: {
        unservedPct: mean(res.map((r) => r.cmp.prescale.unservedPct)),
        costVsOracle: mean(res.map((r) => r.cmp.prescale.costVsOracle)),
        actions: mean(res.map((r) => r.cmp.prescale.actions)),
      },
      tracesWithin: res.filter((r) => r.cmp.prescale.unservedPct <= b).length,
      claims: c.reduce((a, x) => a + x.claims, 0),
      held: c.reduce((a, x) => a + x.held, 0),
      overBudget: c.reduce((a, x) => a + x.over, 0),
      tunings: c.reduce((a, x) => a + x.tunings, 0),
    };
    points.push(point);
    const m = point.mean;
    const share = point.claims ? `${((100 * point.held) / point.claims).toFixed(0)} %` : '—';
    const ratio = againstFrontier(m).ratioAtSameCost;
    say(
      `| ${b} % | ${m.unservedPct.toFixed(3)} % | ${m.costVsOracle.toFixed(3)} | ${m.actions.toFixed(1)} | ${ratio === null ? '—' : ratio.toFixed(3)} | ` +
        `${point.tracesWithin} / ${traces.length} | ${point.held} / ${point.claims} (${share}) | ${point.overBudget} / ${point.tunings} |`,
    );
  }
  say();
  say('The reactive HPA at several target utilisations, same scoring:');
  say();
  say('| target | unserved | cost vs oracle | actions |');
  say('|---|---|---|---|');
  for (const u of REACTIVE_TARGETS) {
    const res = traces.map((t) => {
      const r = reactiveHpa(t.series.values, t.C, { targetUtilization: u });
      return compareWithReferences(t.series.values, r, t.C, t.D, t.m).prescale;
    });
    say(
      `| ${u} | ${mean(res.map((r) => r.unservedPct)).toFixed(3)} % | ${mean(res.map((r) => r.costVsOracle)).toFixed(3)} | ${mean(res.map((r) => r.actions)).toFixed(1)} |`,
    );
  }
  return points;
}

import type { ScalingPolicy } from '../../core/domain/policy.js';
import type { RegularSeries } from '../../core/domain/series.js';
import { tuneOnHistory, type Tuning } from '../../core/simulate/index.js';

/** One policy tuning, as a worker thread receives it. */
export interface TuneTask {
  readonly series: RegularSeries;
  readonly policy: ScalingPolicy;
  readonly model: string;
}

/** The worker's entry: the same pure tuning the cycle would run in its own thread. */
export default function tune(task: TuneTask): Tuning | undefined {
  return tuneOnHistory(task.series, task.policy, { forecast: { model: task.model } });
}

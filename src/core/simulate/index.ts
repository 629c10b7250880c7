export { replay, scoreSchedule, reactiveHpa, oracleSchedule, type ScheduleScore } from './replay.js';
export {
  simulate,
  forecastWalk,
  tuneOnHistory,
  type SimulationOptions,
  type SimulationResult,
  type ForecastWalk,
} from './simulate.js';
export { planAlong, type PlanStart, type PlanRun } from './plan.js';
export {
  tunePolicy,
  tuningCandidates,
  betterUnderBudget,
  TUNING,
  TUNING_CODES,
  type TuningCode,
  type Tuning,
  type TunedFields,
  type ReplayScore,
  type TuningSettings,
} from './tune.js';

export { scoredFrom, compareWithReferences, type PolicyScore } from './compare.js';

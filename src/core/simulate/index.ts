export { replay, scoreSchedule, reactiveHpa, oracleSchedule, type ScheduleScore } from './replay.js';
export {
  simulate,
  forecastWalk,
  walkPieces,
  joinWalks,
  tuneOnHistory,
  type SimulationOptions,
  type SimulationResult,
  type ForecastWalk,
  type ReplayPhase,
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
export { referenceScorer, type ReferenceScorer } from './compare.js';
export {
  FRONTIER_TARGETS,
  reactiveFrontier,
  positionOnFrontier,
  type FrontierPoint,
  type FrontierPosition,
} from './frontier.js';

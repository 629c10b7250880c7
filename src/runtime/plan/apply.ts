import type { Actuator } from '../../adapters/engines/port.js';
import { describeError, isPrescaleError } from '../../core/domain/errors.js';
import type { ScalingPolicy } from '../../core/domain/policy.js';
import type { ScaleTarget } from '../../core/domain/target.js';
import type { Problem } from '../report.js';

/** What became of one change. */
export interface ApplyOutcome {
  readonly applied: boolean;
  /** Why a change was not made (none when no change was due or allowed). */
  readonly problem?: Problem;
  /** The service was removed meanwhile. */
  readonly gone?: boolean;
}

/**
 * The one way a replica count reaches an engine, for the cycle and the API alike: asked of
 * `mayApply` right before the change (an instance that loses the leader lease stops at once),
 * refused outside the policy's [min, max] or when not a whole number, so that no bug or fault
 * ever gets past the bounds the service's labels set now.
 */
export async function guardedApply(
  actuator: Actuator,
  target: ScaleTarget,
  desired: number,
  policy: Pick<ScalingPolicy, 'minReplicas' | 'maxReplicas'>,
  mayApply: () => boolean,
): Promise<ApplyOutcome> {
  if (desired === target.replicas || !mayApply()) return { applied: false };
  const { minReplicas: min, maxReplicas: max } = policy;
  if (!Number.isInteger(desired) || desired < min || desired > max) {
    return {
      applied: false,
      problem: { code: 'ApplyRefused', message: `refused to apply ${desired} replicas: outside [${min}, ${max}]` },
    };
  }
  try {
    await actuator.setReplicas(target, desired);
    return { applied: true };
  } catch (err) {
    if (isPrescaleError(err, 'E_NOT_FOUND')) {
      const message = `the service was removed while being planned: ${describeError(err)}`;
      return { applied: false, gone: true, problem: { code: 'ServiceGone', message } };
    }
    return {
      applied: false,
      problem: { code: 'ApplyFailed', message: `could not apply ${desired} replicas: ${describeError(err)}` },
    };
  }
}

import type { ScalingPolicy } from '../../core/domain/policy.js';
import { windowBounds, type WindowBounds } from '../../core/schedule/windows.js';
import type { ServiceSpec } from '../../config/service-spec.js';

/** The replica bounds of a service at one instant: its scheduled windows' where they hold, else its policy's. */
export interface InForce {
  readonly windows: WindowBounds;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/**
 * The bounds at `now` (unix seconds). A window's min is asked for one startup delay and one
 * planning interval before it opens: the cycle that falls in that lead asks for the replicas,
 * and they are ready when the window opens. Throws E_CONFIG when two open windows conflict.
 */
export function boundsInForce(
  spec: Pick<ServiceSpec, 'schedules'>,
  policy: Pick<ScalingPolicy, 'minReplicas' | 'maxReplicas' | 'startupDelaySec'>,
  now: number,
  intervalSec: number,
): InForce {
  const windows = windowBounds(spec.schedules ?? [], now, policy.startupDelaySec + intervalSec);
  return {
    windows,
    minReplicas: windows.min?.value ?? policy.minReplicas,
    maxReplicas: windows.max?.value ?? policy.maxReplicas,
  };
}

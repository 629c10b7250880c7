import { DEFAULT_LOCK_TTL_SEC, type LeaseRecord } from '../../../runtime/leader.js';

/** Name of the Swarm config and of the container that hold the lease. */
export const LOCK_NAME = 'prescale-leader';

/** The labels a lease is written in, on a Swarm config or a container. */
export const LEASE_LABELS = Object.freeze({
  holder: 'prescale.lock.holder',
  renewedAt: 'prescale.lock.renewed-at',
  ttl: 'prescale.lock.ttl',
});

/** A lease record as engine object labels. */
export function labelsOf(r: LeaseRecord): Record<string, string> {
  return {
    [LEASE_LABELS.holder]: r.holder,
    [LEASE_LABELS.renewedAt]: String(r.renewedAt),
    [LEASE_LABELS.ttl]: String(r.ttlSec),
  };
}

/** The lease record in `labels` (missing labels: no holder, renewed at 0, the default TTL), then `extra`. */
export function recordOf(labels: Record<string, string> | undefined, extra: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    holder: labels?.[LEASE_LABELS.holder] ?? '',
    renewedAt: Number(labels?.[LEASE_LABELS.renewedAt] ?? 0),
    ttlSec: Number(labels?.[LEASE_LABELS.ttl]) || DEFAULT_LOCK_TTL_SEC,
    ...extra,
  };
}

/** The HTTP status of a dockerode error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

import type { Logger } from '../observability/logger.js';
import { APPLY_PROBLEMS, type ServiceReport } from './report.js';

/**
 * One line per service and cycle: info when planned (a warning when a change could not be
 * made); a warning naming the problem when it is not planned, said once and again only when it
 * changes, so that a service with a typo does not fill the log every minute.
 */
export class CycleLog {
  private readonly said = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  service(r: ServiceReport): void {
    const fields = {
      service: r.key,
      status: r.status,
      current: r.currentReplicas,
      desired: r.desiredReplicas,
      applied: r.applied,
      reason: r.decision?.reason,
    };
    const problems = r.problems.map((p) => p.message);
    const codes = [...new Set(r.problems.map((p) => p.code))];
    if (r.status === 'planned') {
      if (this.said.delete(r.key)) this.logger.info({ service: r.key }, 'planned again');
      const failed = r.problems.some((p) => APPLY_PROBLEMS.has(p.code));
      this.logger[failed ? 'warn' : 'info'](problems.length ? { ...fields, codes, problems } : fields, r.message);
      return;
    }
    const what = `${r.status}: ${codes.join(',')}: ${problems.join('; ')}`;
    const repeat = this.said.get(r.key) === what;
    this.said.set(r.key, what);
    this.logger[repeat ? 'debug' : 'warn']({ ...fields, codes, problems, code: r.errorCode }, r.message);
  }

  /** Forgets services that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.said.keys()) if (!keys.has(k)) this.said.delete(k);
  }
}

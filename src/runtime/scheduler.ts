import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../observability/logger.js';

/**
 * Runs a job on a cron schedule, never two at once: a tick that finds the previous run still
 * going is counted and logged, not stacked. `trigger()` asks for a run outside the schedule (an
 * engine event): it starts one now, or right after the running one, and several requests meanwhile
 * make one run. `stop()` waits for the running job (SIGTERM finishes the current cycle).
 */
export class CycleScheduler {
  private task?: ScheduledTask;
  private running?: Promise<void>;
  private pending = false;
  private stopped = false;

  constructor(
    private readonly expression: string,
    private readonly job: () => Promise<void>,
    private readonly logger: Logger,
    private readonly onSkipped: () => void = () => {},
  ) {
    if (!cron.validate(expression)) throw new Error(`invalid cron expression "${expression}"`);
  }

  /** Starts the schedule and runs the job once right away. */
  start(): void {
    this.task = cron.schedule(this.expression, () => void this.tick());
    void this.tick();
  }

  /** Runs the job unless one is running. Resolves when this tick's job (if any) is done. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.onSkipped();
      this.logger.warn({ schedule: this.expression }, 'previous cycle still running: this tick is skipped');
      return;
    }
    await this.run();
  }

  /**
   * Runs the job as soon as possible: now, or once the running job is done. Resolves when a run
   * that started after this call is done.
   */
  async trigger(): Promise<void> {
    if (this.stopped) return;
    if (!this.running) return this.run();
    this.pending = true;
    // the running job, then the run it queued (this.running is replaced by then)
    await this.running;
    await this.running;
  }

  private run(): Promise<void> {
    this.running = this.job()
      .catch((err: unknown) => this.logger.error({ err: String(err) }, 'cycle failed'))
      .finally(() => {
        this.running = undefined;
        if (this.pending && !this.stopped) {
          this.pending = false;
          void this.run();
        }
      });
    return this.running;
  }

  /** Stops the schedule and waits for a running job to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = false;
    await this.task?.stop();
    await this.running;
  }
}

/** Seconds between the next two runs of a cron schedule (60 for `* * * * *`), for readiness. */
export function scheduleIntervalSec(expression: string): number {
  const task = cron.createTask(expression, () => {});
  const [a, b] = task.getNextRuns(2);
  void task.destroy();
  return a && b ? (b.getTime() - a.getTime()) / 1000 : 60;
}

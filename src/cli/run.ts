import type { Command } from 'commander';
import { buildEdges, withDryRun } from '../runtime/wiring.js';
import { LeaderLock } from '../runtime/leader.js';
import { loadConfig } from '../config/schema.js';
import { PrescaleError } from '../core/domain/errors.js';
import { createLogger } from '../observability/logger.js';
import { Reconciler, type CycleReport } from '../runtime/cycle.js';
import { FileStateStore, MemoryStateStore } from '../runtime/state.js';
import { FileMaskStore } from '../runtime/masks.js';
import { historyStoreIn } from './serve.js';
import { dirArg, prometheusAuthOf, urlArg, withPrometheusAuth, type AuthFlags } from './options.js';

/** A plain table of the cycle's decisions, one line a service. */
export function formatReport(report: CycleReport): string {
  const rows = [['SERVICE', 'REPLICAS', 'REASON', 'APPLIED', 'WHY']];
  for (const s of report.services) {
    rows.push([
      s.key,
      `${s.currentReplicas} -> ${s.desiredReplicas}`,
      s.decision?.reason ?? s.status,
      s.applied ? 'yes' : 'no',
      s.message,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
  for (const e of report.errors) lines.push(`error (${e.kind}, ${e.code}): ${e.message}`);
  if (!report.services.length && !report.errors.length) lines.push('no service is labelled prescale.enable=true');
  return lines.join('\n');
}

/**
 * `prescale run --once --prometheus URL [--apply]` — a contract: one cycle for every Swarm and
 * Compose service labelled prescale.enable=true on the engine DOCKER_HOST names. Without --apply
 * it only prints the plan. With --apply it first takes the leader lock, as `serve --apply` does;
 * when another instance holds it, nothing is applied. Exit 0 when the cycle ran (services whose
 * data was missing are held and listed), 1 when the engine could not be reached or another
 * instance holds the lock, 2 for a bad command line or config.
 */
export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .description('Run the forecast-plan-apply cycle for every labelled service')
    .requiredOption('--once', 'run one cycle and exit')
    .option('--prometheus <url>', 'Prometheus base URL (else `prometheus:` in the config)', urlArg);
  withPrometheusAuth(run)
    .option('--apply', 'apply the plan (default: print it only)', false)
    .option('--config <file>', 'YAML config file (defaults, services)')
    .option('--state-dir <dir>', 'keep planner state here across runs (stabilisation, forecast error)', dirArg)
    .option('--json', 'print the decision records as JSON')
    .action(
      async (
        o: AuthFlags & {
          once: boolean;
          prometheus?: string;
          apply: boolean;
          config?: string;
          stateDir?: string;
          json?: boolean;
        },
      ) => {
        const logger = createLogger();
        const config = loadConfig(o.config);
        const edges = buildEdges({ ...o, prometheusAuth: prometheusAuthOf(o) }, config, logger);
        // an engine that keeps no lease has nothing to share: this run is the only one acting
        const lock = edges.leaseStore ? new LeaderLock(edges.leaseStore, { logger }) : undefined;
        const leader = lock ? await lock.acquireOnce() : true;
        const apply = o.apply && leader;
        const reconciler = new Reconciler({
          source: edges.source,
          actuators: withDryRun(edges.actuators, apply, logger),
          config,
          apply,
          logger,
          state:
            (o.stateDir ?? config.stateDir)
              ? new FileStateStore((o.stateDir ?? config.stateDir) as string, { now: Date.now() / 1000, logger })
              : new MemoryStateStore(),
          // the masks added through a serve's API, so that a one-shot run fits on the same history
          ...((o.stateDir ?? config.stateDir) && {
            masks: new FileMaskStore((o.stateDir ?? config.stateDir) as string, { logger }),
          }),
          historyStore: historyStoreIn(o.stateDir ?? config.stateDir, config, logger),
        });
        let report: CycleReport;
        const now = Date.now() / 1000;
        try {
          report = await reconciler.runOnce(now);
          reconciler.saveHistory(now);
        } finally {
          await lock?.release();
        }
        // the recent load a record carries is for the web page's chart, not for this output
        const json = () => JSON.stringify(report, (k, v: unknown) => (k === 'recentLoad' ? undefined : v), 2);
        process.stdout.write((o.json ? json() : formatReport(report)) + '\n');
        const failure = report.errors.find((e) => e.kind === 'engine');
        if (failure)
          throw new PrescaleError(
            failure.code === 'E_ENGINE_UNREACHABLE' ? 'E_ENGINE_UNREACHABLE' : 'E_ENGINE',
            failure.message,
          );
        if (lock && !leader) {
          const s = lock.status();
          throw new PrescaleError(
            'E_LOCKED',
            s.error
              ? `nothing applied: could not take the leader lock (${s.error})`
              : `nothing applied: another prescale instance (${s.holder}) holds the leader lock (${s.where})`,
          );
        }
      },
    );
}

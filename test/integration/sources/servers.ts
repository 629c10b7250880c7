/**
 * The Prometheus-compatible servers the collector's integration tests run on, with what each one
 * answers differently (measured on Prometheus 2.42 and VictoriaMetrics 1.79).
 */
import type { BackfillSeries, PrometheusHandle } from '../../support/prometheus.js';
import { hasPrometheus, startPrometheus } from '../../support/prometheus.js';
import { hasVictoria, startVictoria } from '../../support/victoria.js';

export interface Server {
  readonly name: string;
  /** What the skip message names when the server is not installed. */
  readonly needs: string;
  has(): boolean;
  start(opts: { series: readonly BackfillSeries[] }): Promise<PrometheusHandle>;
  /**
   * Steps after a sample that still answer with its value: Prometheus looks back 5 minutes
   * (--query.lookback-delta); VictoriaMetrics derives its staleness interval from the samples'
   * own interval, here one step.
   */
  readonly fillSteps: number;
  /** Its words for a PromQL syntax error. */
  readonly parseError: RegExp;
  /** True when it answers NaN points (counted as dropped); VictoriaMetrics leaves them out. */
  readonly nanDropped: boolean;
}

export const SERVERS: readonly Server[] = [
  {
    name: 'Prometheus',
    needs: 'prometheus and promtool',
    has: hasPrometheus,
    start: startPrometheus,
    fillSteps: 5,
    parseError: /parse error/,
    nanDropped: true,
  },
  {
    name: 'VictoriaMetrics',
    needs: 'victoria-metrics',
    has: hasVictoria,
    start: startVictoria,
    fillSteps: 1,
    parseError: /cannot execute query: argList: unexpected token/,
    nanDropped: false,
  },
];

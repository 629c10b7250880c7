import { PrescaleError } from '../../../core/domain/errors.js';
import { PrometheusSource } from '../prometheus/source.js';
import type { SourceFactory } from '../registry.js';

/** VictoriaMetrics speaks Prometheus's query_range; its per-series limit is 30,000 points, not 11,000. */
export const victoriaSource: SourceFactory = ({ url, config, logger }) => {
  const where = url ?? config.prometheus;
  if (!where) throw new PrescaleError('E_INPUT', 'no VictoriaMetrics: give --prometheus URL');
  return { source: new PrometheusSource({ url: where, maxPoints: 29_000, logger }), where };
};

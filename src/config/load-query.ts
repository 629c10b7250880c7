import type { ScaleTarget } from '../core/domain/target.js';

/**
 * The PromQL of a service's load, from what its labels or config entry say: `prescale.query` as
 * written, or a query built from cAdvisor's series for the service's containers when
 * `prescale.metric` names a resource. cAdvisor exports every Docker label of a container as
 * `container_label_<name>`, with characters outside [a-zA-Z0-9_] turned into `_`
 * (cadvisor/container/docker/handler.go, via the Prometheus collector's label sanitising), so a
 * Swarm task carries `container_label_com_docker_swarm_service_name` and a Compose container
 * `container_label_com_docker_compose_project` and `…_service`.
 * https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md
 */

/** The resources `prescale.metric` may name. */
export const LOAD_METRICS = ['cpu', 'memory'] as const;
export type LoadMetric = (typeof LOAD_METRICS)[number];

/** The cAdvisor query of each resource around a label selector; capacity is in its unit. */
const RESOURCE: Readonly<Record<LoadMetric, { unit: string; query: (selector: string) => string }>> = {
  // cores in use: CPU seconds per second, summed over the service's containers
  cpu: { unit: 'cores', query: (sel) => `sum(rate(container_cpu_usage_seconds_total{${sel}}[1m]))` },
  // what the kernel would not reclaim under pressure: what an OOM kill is decided on
  memory: { unit: 'bytes', query: (sel) => `sum(container_memory_working_set_bytes{${sel}})` },
};

/** cAdvisor's name of a Docker label. */
export function cadvisorLabel(dockerLabel: string): string {
  return `container_label_${dockerLabel.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** A PromQL string literal: backslash, double quote and newline escaped. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * The Docker labels every container of a target carries, by engine kind: Swarm labels each task's
 * container with its service, Compose with its project and service. The one place that knows them.
 */
const CONTAINER_LABELS: Readonly<Record<string, (t: Target) => Record<string, string> | undefined>> = {
  swarm: (t) => ({ 'com.docker.swarm.service.name': t.name }),
  compose: (t) =>
    t.project === undefined
      ? undefined
      : { 'com.docker.compose.project': t.project, 'com.docker.compose.service': t.name },
};

type Target = Pick<ScaleTarget, 'kind' | 'name' | 'project'>;

/** The unit `prescale.capacity` is in for a resource. */
export function metricUnit(metric: LoadMetric): string {
  return RESOURCE[metric].unit;
}

/**
 * The load query of a service: its `query` when given (it wins over `metric`), else the cAdvisor
 * query of its `metric` for the target's containers. An error names the label when neither is
 * given or the engine's containers have no labels to select them by.
 */
export function loadQuery(
  spec: { readonly query?: string; readonly metric?: LoadMetric },
  target: Target,
): { query: string } | { error: string } {
  if (spec.query) return { query: spec.query };
  if (!spec.metric) {
    return { error: 'prescale.query: missing (the PromQL of the service load, or prescale.metric=cpu|memory)' };
  }
  const labels = CONTAINER_LABELS[target.kind]?.(target);
  if (!labels) {
    return {
      error: `prescale.metric=${spec.metric}: no cAdvisor labels for a ${target.kind} service; give prescale.query`,
    };
  }
  const selector = Object.entries(labels)
    .map(([k, v]) => `${cadvisorLabel(k)}=${promString(v)}`)
    .join(',');
  return { query: RESOURCE[spec.metric].query(selector) };
}

/**
 * The fleet bench's services: their labels (each backed by its own Prometheus series), and on a
 * real Swarm engine, N labelled services of the busybox image test/env/docker.sh imports,
 * created and removed by the bench.
 */
import type Docker from 'dockerode';
import { createSwarmService, removeServices } from '../../test/support/docker.js';
import { queryOf } from './series.js';

/** Replicas each service starts with. */
export const START_REPLICAS = 2;

/** The labels of service `i`: discovered by them, its load from series `i`. */
export function fleetLabels(i: number, max = 100): Record<string, string> {
  return {
    'prescale.enable': 'true',
    'prescale.query': queryOf(i),
    'prescale.capacity': '100',
    'prescale.min': '1',
    'prescale.max': String(max),
  };
}

/** Name of the Swarm service backed by series `i`. */
export function swarmName(i: number): string {
  return `fleet-s${i}`;
}

/**
 * Creates N services on the engine, a few at a time. `max` bounds the replicas, hence the
 * containers the engine runs (each is a process and its shim).
 */
export async function createFleet(docker: Docker, n: number, max: number): Promise<void> {
  const names = Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < n; k += 10) {
    await Promise.all(
      names.slice(k, k + 10).map((i) => createSwarmService(docker, swarmName(i), fleetLabels(i, max), START_REPLICAS)),
    );
  }
}

/** Removes the bench's services. */
export async function removeFleet(docker: Docker, n: number): Promise<void> {
  await removeServices(docker, ...Array.from({ length: n }, (_, i) => swarmName(i)));
}

/** The replicas each labelled service's spec asks for now, by name. */
export async function engineReplicas(docker: Docker): Promise<Map<string, number>> {
  const list = await docker.listServices({ filters: { label: ['prescale.enable=true'] } });
  return new Map(list.map((s) => [s.Spec?.Name ?? s.ID, s.Spec?.Mode?.Replicated?.Replicas ?? -1]));
}

/** Tasks running on the engine, and what the specs ask for. */
export async function runningTasks(docker: Docker): Promise<{ running: number; desired: number }> {
  const specs = await engineReplicas(docker);
  const tasks = await docker.listTasks({ filters: { 'desired-state': ['running'] } });
  const running = tasks.filter((t) => t.Status?.State === 'running').length;
  return { running, desired: [...specs.values()].reduce((a, b) => a + b, 0) };
}

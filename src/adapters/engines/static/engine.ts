import { PrescaleError } from '../../../core/domain/errors.js';
import type { Actuator, EngineFactory, ScaleTarget } from '../port.js';

/** Services listed in PRESCALE_STATIC_SERVICES (JSON: [{ name, labels, replicas }]), kept in memory. */
class StaticActuator implements Actuator {
  readonly kind = 'static';
  constructor(private targets: ScaleTarget[]) {}
  async discover() {
    return this.targets.map((t) => ({ ...t }));
  }
  async getReplicas(t: ScaleTarget) {
    return this.targets.find((x) => x.key === t.key)?.replicas ?? 0;
  }
  async setReplicas(t: ScaleTarget, n: number) {
    this.targets = this.targets.map((x) => (x.key === t.key ? { ...x, replicas: Math.max(0, Math.round(n)) } : x));
  }
}

export const staticEngine: EngineFactory = ({ env }) => {
  let list: Array<{ name: string; labels: Record<string, string>; replicas: number }>;
  try {
    list = JSON.parse(env.PRESCALE_STATIC_SERVICES ?? '[]');
  } catch (err) {
    throw new PrescaleError('E_INPUT', 'PRESCALE_STATIC_SERVICES: not JSON', { cause: err });
  }
  const targets = list.map((s) => ({ key: `static/${s.name}`, kind: 'static', ...s }));
  return { actuators: [new StaticActuator(targets)] };
};

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerLeaseStore } from '../../../../src/adapters/engines/docker/engine.js';
import { DockerEventWatch } from '../../../../src/adapters/engines/docker/events.js';
import { DEFAULT_ENGINES, ENGINES } from '../../../../src/adapters/engines/registry.js';
import { isPrescaleError } from '../../../../src/core/domain/errors.js';
import { silentLogger } from '../../../../src/observability/logger.js';

const ctx = { logger: silentLogger(), env: { DOCKER_HOST: 'unix:///nonexistent.sock' } };

test('engines: the Docker engine gives the swarm and compose actuators, its events and its lease', () => {
  const docker = ENGINES.docker(ctx);
  assert.deepEqual(
    docker.actuators.map((a) => a.kind),
    ['swarm', 'compose'],
  );
  assert.ok(docker.watch instanceof DockerEventWatch);
  assert.ok(docker.leaseStore instanceof DockerLeaseStore);
  assert.equal(docker.leaseStore.where(), 'Swarm config prescale-leader');
});

test('engines: the Docker engine reads DOCKER_HOST and names a bad one', () => {
  assert.throws(
    () => ENGINES.docker({ ...ctx, env: { DOCKER_HOST: 'ssh://host' } }),
    (err) => isPrescaleError(err, 'E_INPUT') && /DOCKER_HOST=ssh:\/\/host/.test(err.message),
  );
});

test('engines: the default is the Docker engine; every registered engine builds without I/O', () => {
  assert.deepEqual(DEFAULT_ENGINES, ['docker']);
  for (const [kind, make] of Object.entries(ENGINES)) {
    const engine = make(ctx);
    assert.ok(engine.actuators.length >= 1, `${kind} has an actuator`);
    const kinds = engine.actuators.map((a) => a.kind);
    assert.equal(new Set(kinds).size, kinds.length, `${kind}: one actuator per kind`);
  }
});

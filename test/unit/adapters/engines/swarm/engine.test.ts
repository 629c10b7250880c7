import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { pino } from 'pino';
import { SwarmActuator, isNotSwarmManager } from '../../../../../src/adapters/engines/swarm/engine.js';
import { isPrescaleError } from '../../../../../src/core/domain/errors.js';

/** The error dockerode gives for a 503 from the engine. */
function engine503(message: string) {
  return Object.assign(new Error(`(HTTP code 503) unexpected - ${message}`), { statusCode: 503, json: { message } });
}

const NOT_IN_SWARM =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const WORKER =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
const STARTING =
  'This node is not a swarm manager. Manager is being prepared or has trouble connecting to the cluster.';

function fakeDocker(listServices: () => Promise<unknown>): Docker {
  return { listServices, modem: { socketPath: '/x.sock' } } as unknown as Docker;
}

test('swarm: an engine outside swarm mode has no Swarm services, said once at info, not an error', async () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  let answer: () => Promise<unknown> = () => Promise.reject(engine503(NOT_IN_SWARM));
  const a = new SwarmActuator(
    fakeDocker(() => answer()),
    logger,
  );
  assert.deepEqual(await a.discover(), []);
  assert.deepEqual(await a.discover(), []);
  assert.equal(lines.length, 1, 'said once');
  assert.equal(lines[0].level, 30);
  assert.match(lines[0].msg, /not a swarm manager/);
  answer = async () => [];
  await a.discover();
  assert.match(lines[1].msg, /is a swarm manager now/);
});

test('swarm: a worker node is not a manager either; a manager still starting is a real error', async () => {
  assert.equal(isNotSwarmManager(engine503(WORKER)), true);
  assert.equal(isNotSwarmManager(engine503(NOT_IN_SWARM)), true);
  assert.equal(isNotSwarmManager(engine503(STARTING)), false);
  assert.equal(
    isNotSwarmManager(Object.assign(new Error('x'), { statusCode: 500, json: { message: NOT_IN_SWARM } })),
    false,
  );
  const a = new SwarmActuator(fakeDocker(() => Promise.reject(engine503(STARTING))));
  await assert.rejects(a.discover(), (err) => isPrescaleError(err, 'E_ENGINE') && /being prepared/.test(err.message));
});

test('swarm: a manager that says it is not one (dockerd restarting) fails for a while, then is believed', async () => {
  let now = 0;
  let answer: () => Promise<unknown> = async () => [];
  const a = new SwarmActuator(
    fakeDocker(() => answer()),
    undefined,
    () => now,
  );
  await a.discover();
  answer = () => Promise.reject(engine503(NOT_IN_SWARM));
  now = 10_000;
  await assert.rejects(a.discover(), (err) => isPrescaleError(err, 'E_ENGINE'));
  now = 59_000;
  await assert.rejects(a.discover(), (err) => isPrescaleError(err, 'E_ENGINE'));
  now = 60_000;
  assert.deepEqual(await a.discover(), [], 'a minute later: the swarm was left');
});

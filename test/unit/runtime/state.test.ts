import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parseConfig } from '../../../src/config/schema.js';
import { isPrescaleError } from '../../../src/core/domain/errors.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Reconciler } from '../../../src/runtime/cycle.js';
import type { PlannerState } from '../../../src/core/planner/plan.js';
import { FileStateStore, readPlannerStates, type StateFs } from '../../../src/runtime/state.js';
import { FakeActuator, FakeSource, labelled } from '../../support/fakes.js';

const NOW = 1_760_000_000;
const good: PlannerState = {
  recommendations: [
    { at: NOW - 120, replicas: 4 },
    { at: NOW - 60, replicas: 5 },
  ],
  lastScaleAt: NOW - 60,
  lastForecast: { start: NOW, step: 300, p50: [10, 12] },
  forecastError: 0.25,
};

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-state-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function warnings() {
  const seen: { fields: Record<string, unknown>; msg: string }[] = [];
  const logger = { warn: (fields: Record<string, unknown>, msg: string) => void seen.push({ fields, msg }) };
  return { seen, logger: logger as unknown as import('../../../src/observability/logger.js').Logger };
}

test('state: a wrong-shape entry is dropped with a warning naming it; the others load; the next save leaves it out', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'planner-state.json');
  writeFileSync(file, JSON.stringify({ 'swarm/web': 5, 'swarm/api': good, 'swarm/db': { lastScaleAt: 1 } }));
  const { seen, logger } = warnings();
  const store = new FileStateStore(dir, { now: NOW, logger });
  assert.equal(store.loadError, undefined);
  assert.equal(store.get('swarm/web'), undefined);
  assert.equal(store.get('swarm/db'), undefined);
  assert.deepEqual(store.get('swarm/api'), good);
  assert.deepEqual(
    store.droppedEntries.map((d) => d.key),
    ['swarm/web', 'swarm/db'],
  );
  assert.match(store.droppedEntries[0].why, /not a planner state \(number 5\)/);
  assert.match(store.droppedEntries[1].why, /recommendations/);
  assert.deepEqual(
    seen.map((w) => [w.fields.service, w.msg]),
    [
      ['swarm/web', 'planner state entry dropped'],
      ['swarm/db', 'planner state entry dropped'],
    ],
  );
  store.set('swarm/api', { ...good, forecastError: 0.3 });
  store.flush();
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8'))), ['swarm/api']);
});

test('state: times after now are clamped to now; non-finite and wrong-typed fields are dropped, the entry kept', () => {
  // 1e999 is what JSON holds for Infinity; null is what JSON.stringify writes for NaN
  const json = JSON.parse(`{
    "a": { "recommendations": [{ "at": ${NOW + 86400}, "replicas": 3 }, { "at": 1e999, "replicas": 2 },
           { "at": ${NOW}, "replicas": -1 }, 7], "lastScaleAt": ${NOW + 3600}, "forecastError": null },
    "b": { "recommendations": [], "lastScaleAt": "yesterday", "forecastError": 1e999,
           "lastForecast": { "start": ${NOW}, "step": 300, "p50": [1, null] } }
  }`);
  const read = readPlannerStates(json, NOW);
  assert.deepEqual(read.dropped, []);
  assert.deepEqual(read.states.get('a'), { recommendations: [{ at: NOW, replicas: 3 }], lastScaleAt: NOW });
  assert.deepEqual(read.states.get('b'), { recommendations: [] });
  const [a, b] = read.repaired;
  assert.equal(a.key, 'a');
  assert.match(a.why, /a recommendation at \d+ is after now/);
  assert.match(a.why, /3 recommendations not \{at, replicas\} of finite numbers: dropped/);
  assert.match(a.why, /lastScaleAt \d+ is after now \(1760000000\): clamped/);
  assert.match(a.why, /forecastError null is not valid: dropped/);
  assert.match(b.why, /lastScaleAt "yesterday"/);
  assert.match(b.why, /lastForecast/);
  assert.match(readPlannerStates([1, 2], NOW).dropped[0].why, /expected an object of planner states, got an array/);
});

test('state: what is saved loads back the same (the store takes now at load)', (t) => {
  const dir = tempDir(t);
  const first = new FileStateStore(dir, { now: NOW });
  first.set('swarm/web', good);
  first.flush();
  const again = new FileStateStore(dir, { now: NOW });
  assert.deepEqual(again.get('swarm/web'), good);
  assert.deepEqual(again.droppedEntries, []);
  assert.deepEqual(again.repairedEntries, []);
});

function assertStateError(err: unknown, path: string, os: RegExp): true {
  assert.ok(isPrescaleError(err, 'E_STATE'), String(err));
  assert.ok(err.message.includes(path), err.message);
  assert.match(err.message, os);
  return true;
}

test('state: a save onto a directory throws E_STATE naming the path and the OS error, leaves no temp file, and recovers', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'planner-state.json');
  mkdirSync(file);
  const store = new FileStateStore(dir, { now: NOW });
  assert.match(store.loadError ?? '', /EISDIR/);
  store.set('swarm/web', good);
  assert.throws(
    () => store.flush(),
    (err) => assertStateError(err, file, /EISDIR|ENOTEMPTY|EEXIST/),
  );
  assert.deepEqual(readdirSync(dir), ['planner-state.json'], 'no temp file left');
  assert.match(store.lastSaveError ?? '', /planner-state\.json: EISDIR/);
  // the next cycle tries again; once the path is free the save works and the error clears
  rmSync(file, { recursive: true });
  store.flush();
  assert.equal(store.lastSaveError, undefined);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { 'swarm/web': good });
});

test('state: a directory that cannot be made (its parent is a file) fails the save with E_STATE, not the start', (t) => {
  const parent = join(tempDir(t), 'a-file');
  writeFileSync(parent, 'not a directory');
  const dir = join(parent, 'state');
  const store = new FileStateStore(dir, { now: NOW });
  assert.match(store.loadError ?? '', /ENOTDIR/);
  store.set('swarm/web', good);
  assert.throws(
    () => store.flush(),
    (err) => assertStateError(err, dir, /ENOTDIR/),
  );
  assert.ok(store.lastSaveError);
});

test('state: a full disk mid-write throws E_STATE, removes the temp file and keeps the last good file', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'planner-state.json');
  const before = new FileStateStore(dir, { now: NOW });
  before.set('swarm/web', good);
  before.flush();
  const saved = readFileSync(file, 'utf8');
  const full: StateFs = {
    ...fs,
    writeFileSync: ((fd: number, data: string) => {
      fs.writeFileSync(fd, data.slice(0, 10)); // part of it made it to the disk
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as StateFs['writeFileSync'],
  };
  const store = new FileStateStore(dir, { now: NOW, fs: full });
  store.set('swarm/web', { ...good, forecastError: 0.9 });
  assert.throws(
    () => store.flush(),
    (err) => assertStateError(err, file, /ENOSPC: no space left on device/),
  );
  assert.deepEqual(readdirSync(dir), ['planner-state.json']);
  assert.equal(readFileSync(file, 'utf8'), saved);
  assert.match(store.lastSaveError ?? '', /ENOSPC/);
});

test('state: writes are atomic: temp file written, fsynced and closed before the rename over the file', (t) => {
  const dir = tempDir(t);
  const calls: string[] = [];
  const spy = (name: keyof StateFs) =>
    ((...args: unknown[]) => {
      calls.push(name);
      return (fs[name] as (...a: unknown[]) => unknown)(...args);
    }) as never;
  const recorded: StateFs = {
    ...fs,
    openSync: spy('openSync'),
    writeFileSync: spy('writeFileSync'),
    fsyncSync: spy('fsyncSync'),
    closeSync: spy('closeSync'),
    renameSync: spy('renameSync'),
  };
  const store = new FileStateStore(dir, { now: NOW, fs: recorded });
  store.set('swarm/web', good);
  store.flush();
  assert.deepEqual(calls.slice(0, 5), ['openSync', 'writeFileSync', 'fsyncSync', 'closeSync', 'renameSync']);
});

test('state: a truncated file loads empty with a warning and is not overwritten until a good save', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'planner-state.json');
  const truncated = JSON.stringify({ 'swarm/web': good }).slice(0, 40);
  writeFileSync(file, truncated);
  const store = new FileStateStore(dir, { now: NOW });
  assert.match(store.loadError ?? '', /planner-state\.json: .*JSON/);
  assert.equal(store.size, 0);
  store.flush();
  assert.equal(readFileSync(file, 'utf8'), truncated, 'nothing to save yet: the file is left for a person to see');
  store.set('swarm/web', good);
  store.flush();
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { 'swarm/web': good });
});

test('state: a cycle over a file holding {"swarm/web": 5} plans the service and saves a good entry back', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'planner-state.json');
  writeFileSync(file, JSON.stringify({ 'swarm/web': 5 }));
  const cycle = () =>
    new Reconciler({
      source: new FakeSource(),
      actuators: [new FakeActuator([labelled('web', 'ok', 2)])],
      config: parseConfig({ cycle: { history: 2 * 86_400 } }, 't'),
      apply: false,
      logger: silentLogger(),
      state: new FileStateStore(dir, { now: NOW }),
    }).runOnce(NOW);
  const first = await cycle();
  assert.equal(first.services[0].status, 'planned', first.services[0].message);
  assert.deepEqual(first.errors, []);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(Array.isArray(saved['swarm/web'].recommendations));
  assert.equal((await cycle()).services[0].status, 'planned');
});

test('state: a cycle whose save fails reports E_STATE with the path, and leaves no temp file', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'planner-state.json'));
  const report = await new Reconciler({
    source: new FakeSource(),
    actuators: [new FakeActuator([labelled('web', 'ok', 2)])],
    config: parseConfig({ cycle: { history: 2 * 86_400 } }, 't'),
    apply: false,
    logger: silentLogger(),
    state: new FileStateStore(dir, { now: NOW }),
  }).runOnce(NOW);
  assert.equal(report.services[0].status, 'planned');
  assert.equal(report.errors[0].code, 'E_STATE');
  assert.match(report.errors[0].message, /planner-state\.json: EISDIR/);
  assert.deepEqual(readdirSync(dir), ['planner-state.json']);
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Actuator, ScaleTarget } from '../../../src/adapters/engines/port.js';
import type { MetricsSource } from '../../../src/adapters/sources/port.js';
import { parseConfig } from '../../../src/config/schema.js';
import { PrescaleError } from '../../../src/core/domain/errors.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Reconciler } from '../../../src/runtime/cycle.js';
import { ForecastCache, localForecasts } from '../../../src/runtime/plan/forecasts.js';
import { tuneHere } from '../../../src/runtime/plan/tunings.js';
import { FileStateStore, MemoryStateStore, type StateStore } from '../../../src/runtime/state.js';
import { FakeActuator as SharedFake, FakeSource, labelled } from '../../support/fakes.js';

const NOW = 1_800_000_000;

const target = labelled;

/** The shared fake engine, not following changes (each cycle starts from the same replicas). */
class FakeActuator extends SharedFake {
  constructor(targets: ScaleTarget[], failOn = new Set<string>()) {
    super(targets, { failOn, follow: false });
  }
}

/** A model that forecasts the last value (so the forecast moves with the data without a refit), counting its fits. */
function lastValueModel(name: string) {
  const model = {
    name,
    fits: 0,
    minHistory: () => 1,
    fit: () => {
      model.fits++;
      return { predict: (y: readonly number[], origin: number, h: number) => new Array<number>(h).fill(y[origin - 1]) };
    },
  };
  return model;
}

function reconciler(source: MetricsSource, actuator: Actuator, apply = true) {
  return new Reconciler({
    source,
    actuators: [actuator],
    config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
    apply,
    logger: silentLogger(),
  });
}

const REFITS = { refitSec: 3600, backtestFitSec: 86_400 };

test('cycle: data missing holds replicas with the reason; bad labels skip; others still planned and applied', async () => {
  const actuator = new FakeActuator([
    target('dead', 'down', 4),
    target('nothing', 'empty', 3),
    target('typo', 'ok', 2, { 'prescale.capacity': 'abc' }),
    target('busy', 'high', 2),
  ]);
  const report = await reconciler(new FakeSource(), actuator).runOnce(NOW);
  const by = Object.fromEntries(report.services.map((s) => [s.name, s]));
  assert.equal(by.dead.status, 'held');
  assert.equal(by.dead.decision?.reason, 'HoldOnError');
  assert.equal(by.dead.desiredReplicas, 4);
  assert.match(by.dead.message, /holding 4 replicas: .*unreachable/);
  assert.equal(by.nothing.status, 'held');
  assert.match(by.nothing.message, /returned no samples/);
  assert.equal(by.typo.status, 'skipped');
  assert.match(by.typo.message, /prescale\.capacity=abc/);
  assert.equal(by.busy.status, 'planned');
  assert.equal(by.busy.desiredReplicas, 10, 'capped at max');
  assert.deepEqual(actuator.sets, [['busy', 10]]);
  assert.equal(report.errors[0]?.kind, 'source');
});

test('cycle: an engine error when applying is reported, the cycle goes on; dry run applies nothing', async () => {
  const actuator = new FakeActuator([target('a', 'high', 2), target('b', 'high', 2)], new Set(['a']));
  const report = await reconciler(new FakeSource(), actuator).runOnce(NOW);
  assert.match(report.services[0].problems.map((p) => p.message).join(), /could not apply 10 replicas/);
  assert.deepEqual(
    report.services[0].problems.map((p) => p.code),
    ['ApplyFailed'],
  );
  assert.equal(report.services[0].applied, false);
  assert.deepEqual(actuator.sets, [['b', 10]]);
  const dry = new FakeActuator([target('c', 'high', 2)]);
  const r2 = await reconciler(new FakeSource(), dry, false).runOnce(NOW);
  assert.equal(r2.services[0].desiredReplicas, 10);
  assert.deepEqual(dry.sets, []);
});

test('cycle: discovery failing is reported and nothing is planned', async () => {
  const broken: Actuator = {
    ...new FakeActuator([]),
    kind: 'swarm',
    discover: async () => Promise.reject(new PrescaleError('E_ENGINE_UNREACHABLE', 'engine down')),
    getReplicas: async () => 0,
    setReplicas: async () => {},
  };
  const report = await reconciler(new FakeSource(), broken).runOnce(NOW);
  assert.equal(report.services.length, 0);
  assert.deepEqual(
    report.errors.map((e) => e.code),
    ['E_ENGINE_UNREACHABLE'],
  );
});

test('cycle: history is fetched whole once, then only new samples; the forecast is reused within a bucket', async () => {
  const source = new FakeSource();
  const r = reconciler(source, new FakeActuator([target('a', 'ok', 2)]), false);
  const first = await r.runOnce(NOW);
  const second = await r.runOnce(NOW + 60);
  assert.equal(source.calls.length, 2);
  assert.equal(source.calls[0][2] - source.calls[0][1], 4 * 86_400);
  assert.ok(source.calls[1][2] - source.calls[1][1] <= 120, 'incremental fetch');
  const later = await r.runOnce(NOW + 600);
  assert.equal(second.services[0].forecast, first.services[0].forecast, 'same bucket: the same forecast object');
  assert.notEqual(
    later.services[0].forecast?.start,
    first.services[0].forecast?.start,
    'a new bucket gives a new forecast',
  );
  assert.equal(first.services[0].history?.gaps, 0);
});

test('cycle: planner state survives a restart (FileStateStore): the stabilisation window still holds replicas up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-state-'));
  try {
    const config = parseConfig({ cycle: { history: 4 * 86_400 } }, 't');
    const run = (state: StateStore, t: ScaleTarget, now: number) =>
      new Reconciler({
        source: new FakeSource(),
        actuators: [new FakeActuator([t])],
        config,
        apply: true,
        logger: silentLogger(),
        state,
      }).runOnce(now);
    const up = await run(new FileStateStore(dir, { now: NOW }), target('web', 'high', 2), NOW);
    assert.equal(up.services[0].desiredReplicas, 10);

    // a new process: the same directory, a quiet load that alone needs 2
    const restarted = new FileStateStore(dir, { now: NOW + 60 });
    assert.equal(restarted.loadError, undefined);
    assert.equal(restarted.size, 1);
    const after = await run(restarted, target('web', 'ok', 10), NOW + 60);
    assert.equal(after.services[0].desiredReplicas, 10);
    assert.equal(after.services[0].decision?.reason, 'ScaleDownStabilized');
    assert.ok(restarted.get('swarm/web')?.lastScaleAt === NOW, 'the last action is remembered');

    // without the saved state the same cycle scales down at once
    const fresh = await run(new MemoryStateStore(), target('web', 'ok', 10), NOW + 60);
    assert.ok(fresh.services[0].desiredReplicas < 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cycle: a service removed while being planned is reported gone; the others still apply', async () => {
  const actuator = new FakeActuator([target('a', 'high', 2), target('b', 'high', 2)]);
  actuator.setReplicas = async (t: ScaleTarget, n: number) => {
    if (t.name === 'a') throw new PrescaleError('E_NOT_FOUND', 'service a: no such service');
    actuator.sets.push([t.name, n]);
  };
  const report = await reconciler(new FakeSource(), actuator).runOnce(NOW);
  const [a, b] = report.services;
  assert.equal(a.status, 'gone');
  assert.equal(a.applied, false);
  assert.equal(a.desiredReplicas, 2, 'nothing was changed');
  assert.match(a.message, /removed while being planned/);
  assert.equal(a.errorCode, 'E_NOT_FOUND');
  assert.equal(b.status, 'planned');
  assert.deepEqual(actuator.sets, [['b', 10]]);
});

test('cycle: apply as a function is asked before every change (a passive instance changes nothing)', async () => {
  const actuator = new FakeActuator([target('a', 'high', 2), target('b', 'high', 2)]);
  let calls = 0;
  const r = new Reconciler({
    source: new FakeSource(),
    actuators: [actuator],
    config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
    apply: () => ++calls === 1, // the lead is lost after the first change
    logger: silentLogger(),
  });
  const report = await r.runOnce(NOW);
  assert.equal(calls, 2);
  assert.deepEqual(actuator.sets, [['a', 10]]);
  assert.deepEqual(
    report.services.map((s) => [s.name, s.desiredReplicas, s.applied]),
    [
      ['a', 10, true],
      ['b', 10, false],
    ],
  );
});

test('cycle: a bad label is logged once with the label and its value, again only when it changes', async () => {
  const lines: Array<{ level: number; msg: string; problems?: string[] }> = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const actuator = new FakeActuator([target('typo', 'ok', 2, { 'prescale.min': 'two' })]);
  const r = new Reconciler({
    source: new FakeSource(),
    actuators: [actuator],
    config: parseConfig({}, 't'),
    apply: true,
    logger,
  });
  await r.runOnce(NOW);
  await r.runOnce(NOW + 60);
  actuator.targets = [target('typo', 'ok', 2, { 'prescale.min': 'three' })];
  await r.runOnce(NOW + 120);
  const warnings = lines.filter((l) => l.level === 40); // pino's warn
  assert.equal(warnings.length, 2, JSON.stringify(lines));
  assert.deepEqual(warnings[0].problems, ['prescale.min=two: not a whole number >= 0']);
  assert.deepEqual(warnings[1].problems, ['prescale.min=three: not a whole number >= 0']);
  assert.deepEqual(actuator.sets, []);
});

test('cycle: when discovery fails after it worked, the services seen last are listed as held, untouched', async () => {
  const actuator = new FakeActuator([target('web', 'high', 2)]);
  const r = reconciler(new FakeSource(), actuator);
  await r.runOnce(NOW);
  actuator.discover = async () => Promise.reject(new PrescaleError('E_ENGINE_UNREACHABLE', 'engine down'));
  const report = await r.runOnce(NOW + 60);
  assert.equal(report.errors[0].code, 'E_ENGINE_UNREACHABLE');
  assert.equal(report.services.length, 1);
  const [web] = report.services;
  assert.equal(web.status, 'held');
  assert.equal(web.decision?.reason, 'HoldOnError');
  assert.equal(web.desiredReplicas, web.currentReplicas);
  assert.match(web.message, /swarm discovery failed \(engine down\)/);
  assert.deepEqual(actuator.sets, [['web', 10]], 'only the first cycle changed anything');
});

test('cycle: the model is fitted once per backtest-fit interval, kept by the refits in between, and forecasts from the newest data', async () => {
  const counting = lastValueModel('counting');
  const r = new Reconciler({
    source: new FakeSource(),
    actuators: [new FakeActuator([target('a', 'ok', 2, { 'prescale.model': 'counting' })])],
    config: parseConfig({ cycle: { history: 4 * 86_400, refit: 3600, backtestFit: 7200 } }, 't'),
    apply: false,
    logger: silentLogger(),
    extraModels: [counting],
  });
  const first = await r.runOnce(NOW);
  const fitsAfterFirst = counting.fits;
  assert.ok(fitsAfterFirst > 0);
  const later = await r.runOnce(NOW + 1200); // four new buckets, within the hour
  assert.equal(counting.fits, fitsAfterFirst, 'no refit within the refit interval');
  assert.notEqual(later.services[0].forecast?.start, first.services[0].forecast?.start);
  assert.notEqual(later.services[0].forecast?.p50[0], first.services[0].forecast?.p50[0], 'forecast from newer data');
  await r.runOnce(NOW + 3700);
  assert.equal(counting.fits, fitsAfterFirst, 'the refit chose the same model and kept its fit');
  await r.runOnce(NOW + 7300);
  assert.ok(counting.fits > fitsAfterFirst, 'fitted afresh once the backtest-fit interval passed');
});

test('cycle: policies are tuned on the replay of their history, one service per cycle, again after a day', async () => {
  const actuator = new FakeActuator([
    target('a', 'ok', 2),
    target('b', 'ok', 2),
    target('pinned', 'ok', 2, { 'prescale.auto-tune': 'false' }),
  ]);
  const r = reconciler(new FakeSource(), actuator, false);
  const first = await r.runOnce(NOW);
  const by = (rep: typeof first, name: string) => rep.services.find((s) => s.name === name);
  const a = by(first, 'a')?.tuning;
  assert.ok(a, 'the first service is tuned in the first cycle');
  assert.ok(a.days >= 1 && a.score.cost >= 0 && ['WithinBudget', 'OverBudget'].includes(a.code));
  assert.equal(by(first, 'b')?.tuning, undefined, 'one tuning per cycle');
  const second = await r.runOnce(NOW + 60);
  assert.deepEqual(by(second, 'a')?.tuning, a, 'kept, not redone');
  assert.ok(by(second, 'b')?.tuning, 'the next service in the next cycle');
  const third = await r.runOnce(NOW + 120);
  assert.equal(by(third, 'pinned')?.tuning, undefined, 'autoTune false is never tuned');
  assert.equal(by(third, 'pinned')?.status, 'planned');
  const nextDay = await r.runOnce(NOW + 86_400 + 60);
  assert.ok((by(nextDay, 'a')?.tuning?.at ?? 0) > a.at, 're-tuned a day later');
});

test('cycle: a service on a loaded model is tuned on the replay of the statistical forecasters', async () => {
  const loaded = lastValueModel('loaded');
  const once = async (labels: Record<string, string>) => {
    loaded.fits = 0;
    const r = new Reconciler({
      source: new FakeSource(),
      actuators: [new FakeActuator([target('a', 'ok', 2, { 'prescale.model': 'loaded', ...labels })])],
      config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
      apply: false,
      logger: silentLogger(),
      extraModels: [loaded],
    });
    const [a] = (await r.runOnce(NOW)).services;
    return { a, fits: loaded.fits };
  };
  const pinned = await once({ 'prescale.auto-tune': 'false' });
  const tuned = await once({});
  assert.equal(tuned.a.forecast?.model, 'loaded');
  assert.ok(tuned.a.tuning, 'tuned');
  assert.equal(pinned.a.tuning, undefined);
  assert.equal(tuned.fits, pinned.fits, 'the loaded model is fitted for the forecast only, not along the replay');
});

/** FakeSource, but the query `slow` answers only when its request is aborted. */
class SlowSource extends FakeSource {
  override async queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal) {
    if (query !== 'slow') return super.queryRange(query, start, end, step);
    return new Promise<never>((_resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new PrescaleError('E_SOURCE_UNREACHABLE', 'aborted')));
    });
  }
}

/** A report without what differs between two runs of the same inputs (timings). */
function comparable(r: Awaited<ReturnType<Reconciler['runOnce']>>) {
  return { ...r, durationMs: 0 };
}

test('cycle: a service whose query hangs is held at its deadline; the others are planned as one by one', async () => {
  const targets = () => [target('a', 'ok', 2), target('stuck', 'slow', 3), target('b', 'high', 2)];
  const run = (fetchConcurrency: number) =>
    new Reconciler({
      source: new SlowSource(),
      actuators: [new FakeActuator(targets())],
      config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
      apply: false,
      logger: silentLogger(),
      limits: { fetchConcurrency, serviceDeadlineMs: 300 },
    }).runOnce(NOW);
  const concurrent = await run(8);
  const by = Object.fromEntries(concurrent.services.map((s) => [s.name, s]));
  assert.equal(by.stuck.status, 'held');
  assert.equal(by.stuck.desiredReplicas, 3, 'kept what runs');
  assert.deepEqual(
    by.stuck.problems.map((p) => p.code),
    ['DeadlineExceeded'],
  );
  assert.equal(by.a.status, 'planned');
  assert.equal(by.b.desiredReplicas, 10);
  assert.deepEqual(comparable(concurrent), comparable(await run(1)), 'the same report as a one-by-one cycle');
});

test('cycle: aborting a cycle ends its hanging queries at once and changes nothing', async () => {
  const actuator = new FakeActuator([target('stuck', 'slow', 3), target('b', 'high', 2)]);
  const r = new Reconciler({
    source: new SlowSource(),
    actuators: [actuator],
    config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
    apply: true,
    logger: silentLogger(),
    limits: { serviceDeadlineMs: 60_000 },
  });
  const stop = new AbortController();
  const running = r.runOnce(NOW, stop.signal);
  setTimeout(() => stop.abort(), 50);
  const report = await running;
  assert.deepEqual(
    report.services.map((s) => s.status),
    ['held', 'held'],
  );
  assert.deepEqual(actuator.sets, [], 'nothing applied while stopping');
});

test('cycle: samples the source left out as unusable are said in the report, with their count', async () => {
  class Dropping extends FakeSource {
    override async queryRange(query: string, start: number, end: number, step: number) {
      return { ...(await super.queryRange(query, start, end, step)), dropped: 3 };
    }
  }
  const report = await reconciler(new Dropping(), new FakeActuator([target('a', 'ok', 2)]), false).runOnce(NOW);
  const [a] = report.services;
  assert.equal(a.status, 'planned');
  assert.equal(a.droppedSamples, 3);
  assert.ok(a.problems.some((p) => p.code === 'SamplesDropped'));
});

test('cycle: a loaded model serves the services that name it and is not a candidate of auto', async () => {
  const loaded = lastValueModel('loaded');
  const run = (labels: Record<string, string>) =>
    new Reconciler({
      source: new FakeSource(),
      actuators: [new FakeActuator([target('a', 'ok', 2, labels)])],
      config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
      apply: false,
      logger: silentLogger(),
      extraModels: [loaded],
    }).runOnce(NOW);
  const auto = await run({ 'prescale.auto-tune': 'false' });
  assert.equal(loaded.fits, 0, 'auto never fits it');
  assert.doesNotMatch(auto.services[0].forecast?.model ?? '', /loaded/);
  const named = await run({ 'prescale.auto-tune': 'false', 'prescale.model': 'loaded' });
  assert.ok(loaded.fits > 0);
  assert.equal(named.services[0].forecast?.model, 'loaded');
});

test('cycle: a forecast not made within the deadline leaves its service to the reactive rules; the others are forecast', async () => {
  const here = localForecasts(new ForecastCache(24, REFITS));
  // CPU work whose forecast of service `stuck` never ends (a worker stuck on it)
  const cpu = {
    tune: tuneHere,
    forecasts: () => ({
      forecast: (...args: Parameters<typeof here.forecast>) =>
        args[0] === 'swarm/stuck' ? new Promise<never>(() => undefined) : here.forecast(...args),
      retain: () => undefined,
    }),
  };
  const t0 = performance.now();
  const report = await new Reconciler({
    source: new FakeSource(),
    actuators: [new FakeActuator([target('a', 'ok', 2), target('stuck', 'high', 3), target('b', 'high', 2)])],
    config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
    apply: false,
    logger: silentLogger(),
    cpu,
    limits: { serviceDeadlineMs: 300 },
  }).runOnce(NOW);
  assert.ok(performance.now() - t0 < 5000, 'the cycle did not wait on the stuck forecast past its deadline');
  const by = Object.fromEntries(report.services.map((s) => [s.name, s]));
  assert.equal(by.stuck.status, 'planned');
  assert.equal(by.stuck.forecast, undefined);
  assert.ok(by.stuck.problems.some((p) => p.code === 'ForecastFailed' && /deadline/.test(p.message)));
  assert.equal(by.stuck.desiredReplicas, 10, 'the reactive rules still scale it to its load (its max)');
  assert.ok(by.a.forecast && by.b.forecast);
});

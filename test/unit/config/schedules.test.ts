import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseExclude, parseExcludes, showExclude } from '../../../src/config/excludes.js';
import { parseLabels } from '../../../src/config/labels.js';
import { parseScheduleLabel } from '../../../src/config/schedules.js';
import { loadExcludeFile, parseConfig } from '../../../src/config/schema.js';
import { resolveSpec } from '../../../src/config/service-spec.js';
import type { ScaleTarget } from '../../../src/core/domain/target.js';

/** A Swarm service named `name` with these labels. */
const target = (name: string, labels: Record<string, string>): ScaleTarget => ({
  key: `swarm/${name}`,
  kind: 'swarm',
  name,
  replicas: 1,
  labels,
});
const base = { 'prescale.enable': 'true', 'prescale.query': 'load', 'prescale.capacity': '100' };

test('a schedule label and a YAML entry read the same window', () => {
  const label = parseScheduleLabel('sale', '0 20 * * 5|2h|Europe/Paris|min=10,max=40');
  const yaml = parseConfig(
    {
      defaults: {
        schedules: [
          { name: 'sale', cron: '0 20 * * 5', duration: '120m', timezone: 'Europe/Paris', min: '10', max: '40' },
        ],
      },
    },
    't.yaml',
  ).defaults.schedules?.[0];
  assert.ok(label.ok);
  assert.deepEqual(label.value, yaml);
  assert.equal(label.value.durationSec, 7200);
  assert.equal(label.value.cron.anyDayOfWeek, false);
});

test('a schedule label without a time zone is UTC; min or max alone', () => {
  const a = parseScheduleLabel('night', '0 1 * * *|90m|max=3');
  assert.ok(a.ok && a.value.timeZone === 'UTC' && a.value.max === 3 && a.value.min === undefined);
  const b = parseScheduleLabel('night', '0 1 * * *|5400||min=2');
  assert.ok(b.ok && b.value.timeZone === 'UTC' && b.value.durationSec === 5400);
});

const badLabels: Array<[string, RegExp]> = [
  [
    '61 20 * * 5|2h|UTC|min=1',
    /^prescale\.schedule\.sale=61 20 \* \* 5\|2h\|UTC\|min=1: cron "61 20 \* \* 5": 61 is a invalid/,
  ],
  ['0 20 * *|2h|UTC|min=1', /cron "0 20 \* \*": not five fields/],
  ['0 0 20 * * 5|2h|UTC|min=1', /not five fields/],
  ['0 20 * * 5|2 hours|UTC|min=1', /duration "2 hours": not a duration/],
  ['0 20 * * 5|32d|UTC|min=1', /duration "32d": above the limit of 31d/],
  ['0 20 * * 5|2h|Mars/Olympus|min=1', /timezone "Mars\/Olympus": not an IANA time zone/],
  ['0 20 * * 5|2h|UTC|min=5,max=2', /min 5 is above max 2/],
  ['0 20 * * 5|2h|UTC|size=5', /bounds "size=5": not min=<n>/],
  ['0 20 * * 5|2h|UTC|min=x', /min "x": not a whole number >= 0/],
  ['0 20 * * 5|2h|UTC', /not <cron>\|<duration>\|<timezone>\|min=<n>/],
  ['0 0 L * *|2h|UTC|min=1', /L and # days are not supported/],
];
for (const [value, msg] of badLabels) {
  test(`schedule label rejected, naming the label and the value: ${value}`, () => {
    const r = parseLabels({ ...base, 'prescale.schedule.sale': value });
    assert.equal(r.errors.length, 1, r.errors.join('\n'));
    assert.match(r.errors[0], msg);
  });
}

test('an invalid schedule label skips the service with a message naming it', () => {
  const { spec, errors } = resolveSpec(
    target('web', { ...base, 'prescale.schedule.sale': 'x|2h|UTC|min=1' }),
    parseConfig({}, 't'),
  );
  assert.equal(spec, undefined);
  assert.match(errors.join(), /prescale\.schedule\.sale=x\|2h\|UTC\|min=1: cron "x"/);
});

test('windows merge by name: defaults, then the entry, then the labels', () => {
  const config = parseConfig(
    {
      defaults: { schedules: [{ name: 'sale', cron: '0 20 * * 5', duration: '1h', min: '3' }] },
      services: [{ name: 'web', schedules: [{ name: 'batch', cron: '0 2 * * *', duration: '1h', min: '4' }] }],
    },
    't',
  );
  const { spec } = resolveSpec(target('web', { ...base, 'prescale.schedule.sale': '0 21 * * 5|1h|UTC|min=9' }), config);
  assert.deepEqual(
    spec?.schedules?.map((w) => [w.name, w.cron.source, w.min]),
    [
      ['sale', '0 21 * * 5', 9],
      ['batch', '0 2 * * *', 4],
    ],
  );
});

test("a window that cannot hold under the policy's other bound is refused, naming it", () => {
  const { errors } = resolveSpec(
    target('web', { ...base, 'prescale.max': '5', 'prescale.schedule.sale': '0 20 * * 5|1h|UTC|min=9' }),
    parseConfig({}, 't'),
  );
  assert.match(errors.join(), /schedule sale: min 9 is above max 5 \(the policy\)/);
});

test('YAML schedule errors name the file and the field path', () => {
  assert.throws(
    () =>
      parseConfig(
        {
          services: [
            { name: 'web', schedules: [{ name: 'sale', cron: '0 20 * * 5', duration: '2h', timezone: 'Nowhere' }] },
          ],
        },
        'p.yaml',
      ),
    /p\.yaml: services\.0\.schedules\.0: timezone "Nowhere": not an IANA time zone/,
  );
  assert.throws(
    () =>
      parseConfig(
        {
          defaults: {
            schedules: [
              { name: 'a', cron: '0 1 * * *', duration: '1h', min: '1' },
              { name: 'a', cron: '0 2 * * *', duration: '1h', min: '1' },
            ],
          },
        },
        'p.yaml',
      ),
    /two schedules named a/,
  );
});

test('masks: ranges and recurring dates, the same parser for the config, the file and the API', () => {
  const range = parseExclude({ name: 'outage', start: '2026-11-20T10:00:00Z', end: '2026-11-20T12:30:00+01:00' });
  assert.ok(range.ok);
  assert.deepEqual(range.value, {
    name: 'outage',
    start: Date.parse('2026-11-20T10:00:00Z') / 1000,
    end: Date.parse('2026-11-20T11:30:00Z') / 1000,
  });
  const days = parseExclude({ name: 'holidays', dates: ['12-25', '01-01'], timezone: 'Europe/Paris' });
  assert.ok(days.ok);
  // what the API shows reads back as the same mask
  for (const r of [range.value, days.value]) assert.deepEqual(parseExclude(showExclude(r)), { ok: true, value: r });
  const config = parseConfig(
    {
      services: [
        { name: 'web', exclude: [{ name: 'outage', start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:30:00Z' }] },
      ],
    },
    't',
  );
  assert.deepEqual(config.services[0].exclude, [range.value]);
});

const badMasks: Array<[unknown, RegExp]> = [
  [{ name: 'x', start: '2026-11-20T10:00:00Z', end: '2026-11-20T10:00:00Z' }, /end .* is not after start/],
  [
    { name: 'x', start: '2026-11-20T10:00', end: '2026-11-21T10:00:00Z' },
    /start "2026-11-20T10:00": not an ISO-8601 time/,
  ],
  [{ name: 'x', start: '2026-01-01', end: '2026-06-01' }, /longer than 90 days/],
  [{ name: 'x', start: '1970-01-01', end: '1970-01-02' }, /not an ISO-8601 time from 2000/],
  [{ name: 'x', dates: ['02-30'] }, /"02-30" is not a day "MM-DD"/],
  [{ name: 'x', dates: [] }, /not a list of 1 to 366/],
  [{ name: 'x', dates: ['12-25'], timezone: 'Nowhere' }, /timezone "Nowhere"/],
  [{ name: 'x', start: '2026-11-20', end: '2026-11-21', why: 'outage' }, /why: not a key of a range mask/],
  [{ start: '2026-11-20', end: '2026-11-21' }, /name undefined/],
];
for (const [raw, msg] of badMasks) {
  test(`mask rejected: ${JSON.stringify(raw)}`, () => {
    const r = parseExclude(raw);
    assert.ok(!r.ok);
    assert.match(r.error, msg);
  });
}

test('an --exclude file: a YAML list, its errors naming the file and the entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-exclude-'));
  const good = join(dir, 'good.yaml');
  writeFileSync(
    good,
    '- { name: outage, start: "2026-11-20T10:00:00Z", end: "2026-11-20T11:00:00Z" }\n- name: xmas\n  dates: ["12-25"]\n',
  );
  assert.equal(loadExcludeFile(good).length, 2);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, '- { name: outage, start: "2026-11-20T10:00:00Z", end: "2026-11-19T11:00:00Z" }\n');
  assert.throws(() => loadExcludeFile(bad), new RegExp(`${bad}: entry 0: end .* is not after start`));
  assert.ok(!parseExcludes(new Array(101).fill({ name: 'x', dates: ['12-25'] }), 'f').ok);
});

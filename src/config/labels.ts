import type { ScheduleWindow } from '../core/schedule/windows.js';
import { POLICY_ENTRIES, SPEC_FIELDS, type Field, type ServiceOverrides } from './fields.js';
import { isMetricLabel } from './metrics.js';
import { SCHEDULE_LABEL, SCHEDULE_LABEL_ROW, parseScheduleLabel } from './schedules.js';

export type { ServiceOverrides } from './fields.js';

/**
 * The `prescale.*` labels a service opts in with, read from the field table (fields.ts) with the
 * same parsers as the YAML config. Errors name the label and the value, e.g.
 * `prescale.capacity=abc: not a positive number`.
 */

/** The label that opts a service in. */
export const ENABLE_LABEL = 'prescale.enable';

/** label → the ServiceOverrides field it sets, and that field's row. */
export const LABELS: ReadonlyArray<readonly [string, keyof ServiceOverrides, Field<unknown>]> = [
  ...Object.entries(SPEC_FIELDS),
  ...POLICY_ENTRIES,
].flatMap(([prop, f]) =>
  f.label === undefined ? [] : [[f.label, prop as keyof ServiceOverrides, f as Field<unknown>] as const],
);

/**
 * Parses the `prescale.*` labels of a service: the table's, and its `prescale.schedule.<name>`
 * windows. Unknown `prescale.*` labels are errors too (typos).
 */
export function parseLabels(labels: Readonly<Record<string, string>>): {
  overrides: ServiceOverrides;
  schedules: ScheduleWindow[];
  errors: string[];
} {
  const overrides: Record<string, unknown> = {};
  const schedules: ScheduleWindow[] = [];
  const errors: string[] = [];
  const known = new Set([ENABLE_LABEL, ...LABELS.map(([l]) => l)]);
  for (const [label, value] of Object.entries(labels)) {
    if (label.startsWith(SCHEDULE_LABEL)) {
      const w = parseScheduleLabel(label.slice(SCHEDULE_LABEL.length), value);
      if (w.ok) schedules.push(w.value);
      else errors.push(`${label}=${value}: ${w.error}`);
    } else if (label.startsWith('prescale.') && !known.has(label) && !isMetricLabel(label)) {
      // prescale.query.<name> and prescale.capacity.<name> are read by metricsFromLabels (metrics.ts)
      errors.push(`${label}=${value}: unknown label`);
    }
  }
  for (const [label, field, { parser }] of LABELS) {
    const raw = labels[label];
    if (raw === undefined) continue;
    const v = parser.parse(raw);
    if (v.ok) overrides[field] = v.value;
    else errors.push(`${label}=${raw}: ${v.error}`);
  }
  return { overrides: overrides as ServiceOverrides, schedules, errors };
}

/** A README table cell: code in backticks. */
const code = (s: string): string => `\`${s}\``;

/**
 * The README's label table ("Opting a service in"), one row per label: label, YAML key, meaning,
 * values, default. test/unit/config/labels.test.ts fails when the README says otherwise.
 */
export function labelTable(): string[][] {
  return [
    ['label', 'YAML key', 'meaning', 'values', 'default'],
    [code(ENABLE_LABEL), '—', 'opts the service in', '`true`', '—'],
    ...LABELS.map(([label, , f]) => [
      code(label),
      f.key === undefined ? '—' : code(f.key),
      f.doc,
      f.parser.values,
      f.default === undefined ? (f.need ?? 'required') : f.parser.show(f.default),
    ]),
    [
      code(SCHEDULE_LABEL_ROW.label),
      code(SCHEDULE_LABEL_ROW.key),
      SCHEDULE_LABEL_ROW.doc,
      SCHEDULE_LABEL_ROW.values,
      'none',
    ],
  ];
}

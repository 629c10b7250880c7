/** `--exclude FILE.yaml` of the offline commands, run as a user runs them (the built CLI). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'prescale.js');
const dir = mkdtempSync(join(tmpdir(), 'prescale-exclude-cli-'));
const T0 = Date.UTC(2026, 0, 5) / 1000;
const DAY = 86_400;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Three days of a flat 100 at 5 minutes, with an outage at 0 for two hours a day before the end. */
function historyFile(): string {
  const rows = ['timestamp,value'];
  for (let i = 0; i < 3 * 288; i++) rows.push(`${T0 + i * 300},${i >= 2 * 288 && i < 2 * 288 + 24 ? 0 : 100}`);
  const path = join(dir, 'history.csv');
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

const iso = (t: number) => new Date(t * 1000).toISOString();

test('forecast --exclude: the outage is a gap, not zero load; without it the day-ago outage is forecast', () => {
  const input = historyFile();
  const masks = join(dir, 'masks.yaml');
  writeFileSync(masks, `- { name: outage, start: "${iso(T0 + 2 * DAY)}", end: "${iso(T0 + 2 * DAY + 7200)}" }\n`);
  const p50 = (out: string) =>
    readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[1]));
  const plain = cli(
    'forecast',
    '--input',
    input,
    '--horizon',
    '6',
    '--output',
    join(dir, 'a.csv'),
    '--model',
    'seasonal_naive_day',
  );
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(p50(join(dir, 'a.csv')), [0, 0, 0, 0, 0, 0]);
  const masked = cli(
    'forecast',
    ...['--input', input, '--horizon', '6', '--output', join(dir, 'b.csv'), '--model', 'seasonal_naive_day'],
    ...['--exclude', masks],
  );
  assert.equal(masked.code, 0, masked.stderr);
  assert.deepEqual(p50(join(dir, 'b.csv')), [100, 100, 100, 100, 100, 100]);
  assert.match(masked.stderr, /24 samples inside the masks of .*masks\.yaml left out as gaps/);
});

test('a bad --exclude file is exit code 2 naming the file and the entry', () => {
  const input = historyFile();
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, '- { name: outage, dates: ["13-01"] }\n');
  for (const cmd of [
    ['forecast', '--input', input, '--horizon', '3', '--output', join(dir, 'c.csv')],
    ['backtest', '--input', input, '--horizon', '3'],
    ['simulate', '--input', input, '--capacity', '10', '--startup-delay', '300', '--output', join(dir, 'd.csv')],
    ['train', '--input', input, '--out', join(dir, 'model')],
    ['report', '--input', input, '--capacity', '10', '--startup-delay', '300', '--output', join(dir, 'r.html')],
  ]) {
    const r = cli(...cmd, '--exclude', bad);
    assert.equal(r.code, 2, `${cmd[0]}: ${r.stderr}`);
    assert.match(r.stderr, /bad\.yaml: entry 0: dates: "13-01" is not a day "MM-DD"/, cmd[0]);
  }
});

/**
 * The command lines that scripts outside the repository depend on, run as a user runs them
 * (the built CLI, bin/prescale.js): outputs, exit codes and error messages.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'prescale.js');
const dir = mkdtempSync(join(tmpdir(), 'prescale-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Three days of a daily pattern at 5 minutes, ISO timestamps. */
function historyFile(days = 3, name = 'history.csv'): string {
  const rows = ['timestamp,value'];
  const t0 = Date.UTC(2026, 0, 5) / 1000;
  for (let i = 0; i < days * 288; i++) {
    const v = 100 + 80 * Math.sin((2 * Math.PI * (i % 288)) / 288) + (i % 7);
    rows.push(`${new Date((t0 + i * 300) * 1000).toISOString()},${v.toFixed(3)}`);
  }
  const path = join(dir, name);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

test('every command answers --help', () => {
  for (const cmd of ['fetch', 'forecast', 'backtest', 'simulate', 'report', 'run', 'serve', 'train']) {
    const r = cli(cmd, '--help');
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    assert.match(r.stdout, /Usage: prescale/);
  }
});

test('forecast writes the header and exactly N rows continuing the step', () => {
  const input = historyFile();
  const out = join(dir, 'fc.csv');
  const r = cli('forecast', '--input', input, '--horizon', '24', '--output', out);
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'timestamp,p50,p90');
  assert.equal(lines.length, 25);
  const last = Date.UTC(2026, 0, 5) / 1000 + (3 * 288 - 1) * 300;
  assert.equal(Number(lines[1].split(',')[0]), last + 300);
  assert.equal(Number(lines[24].split(',')[0]), last + 24 * 300);
  for (const l of lines.slice(1)) {
    const [, p50, p90] = l.split(',').map(Number);
    assert.ok(Number.isFinite(p50) && p90 >= p50, l);
  }
});

test('bad input is answered with a message and exit code 2, never a stack trace', () => {
  const missing = cli('forecast', '--input', join(dir, 'nope.csv'), '--horizon', '3', '--output', join(dir, 'x.csv'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.csv/);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'timestamp,value\n1700000000,12\nyesterday,oops\n');
  const malformed = cli('forecast', '--input', bad, '--horizon', '3', '--output', join(dir, 'x.csv'));
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /bad\.csv/);
  assert.doesNotMatch(malformed.stderr, /at .*\.js:\d+/);
  const flag = cli('forecast', '--input', bad, '--horizon', '3', '--output', 'x.csv', '--bogus');
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--bogus'/);
  const horizon = cli('forecast', '--input', bad, '--horizon', 'many', '--output', 'x.csv');
  assert.equal(horizon.code, 2);
  assert.match(horizon.stderr, /--horizon/);
});

test('simulate writes timestamp,replicas for every input step and prints the comparison', () => {
  const input = historyFile(4, 'trace.csv');
  const out = join(dir, 'schedule.csv');
  const r = cli('simulate', '--input', input, '--capacity', '20', '--startup-delay', '300', '--output', out);
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'timestamp,replicas');
  assert.equal(lines.length, 4 * 288 + 1);
  assert.ok(lines.slice(1).every((l) => Number(l.split(',')[1]) >= 1));
  assert.match(r.stdout, /prescale .*\n.*reactive .*\n.*oracle/);
});

test('simulate takes a policy file and names the file and field when it is wrong', () => {
  const input = historyFile(4, 'trace2.csv');
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, 'min: 3\nquantile: p50\n');
  const out = join(dir, 'schedule2.csv');
  const r = cli(
    'simulate',
    '--input',
    input,
    '--capacity',
    '20',
    '--startup-delay',
    '300',
    '--output',
    out,
    '--policy',
    policy,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .every((l) => Number(l.split(',')[1]) >= 3),
  );
  writeFileSync(policy, 'quantile: p99\n');
  const bad = cli(
    'simulate',
    '--input',
    input,
    '--capacity',
    '20',
    '--startup-delay',
    '300',
    '--output',
    out,
    '--policy',
    policy,
  );
  assert.equal(bad.code, 2); // E_CONFIG: the file is wrong
  assert.match(bad.stderr, /policy\.yaml: quantile/);
});

test('backtest prints a table per file and overall, and JSON with --json', () => {
  const input = historyFile(6, 'long.csv');
  const r = cli(
    'backtest',
    '--input',
    input,
    '--horizon',
    '6',
    '--origins',
    '3',
    '--eval-days',
    '2',
    '--models',
    'auto,seasonal_naive_day',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /seasonal_naive_day/);
  assert.match(r.stdout, /overall/);
  const j = cli(
    'backtest',
    '--input',
    input,
    '--horizon',
    '6',
    '--origins',
    '3',
    '--eval-days',
    '2',
    '--models',
    'auto',
    '--json',
  );
  assert.equal(j.code, 0, j.stderr);
  const parsed = JSON.parse(j.stdout);
  assert.equal(parsed.files[0].scores[0].model, 'auto');
  assert.ok(parsed.files[0].scores[0].mase > 0 && parsed.files[0].scores[0].mase < 1.5);
});

/** Runs a command that must be refused: exit 2, the message matching `msg`, no stack trace. */
function refused(args: string[], msg: RegExp, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr: ${r.stderr}`);
  assert.match(r.stderr, msg, args.join(' '));
  assert.doesNotMatch(r.stderr, /E_UNEXPECTED|at .*\.js:\d+/, args.join(' '));
  return r;
}

test('sizes beyond their bound are refused at the edge, naming the flag or the file', () => {
  const input = historyFile(4, 'bounds.csv');
  const out = join(dir, 'bounds-out.csv');
  refused(['forecast', '--input', input, '--horizon', '1e9', '--output', out], /--horizon.*at most 10000/);
  refused(['backtest', '--input', input, '--horizon', '20000'], /--horizon.*at most 10000/);
  refused(['backtest', '--input', input, '--horizon', '6', '--origins', '5000'], /--origins.*at most 1000/);
  const sim = ['simulate', '--input', input, '--output', out];
  refused(
    [...sim, '--capacity', '1e-6', '--startup-delay', '300'],
    /--capacity 0\.000001: .*replicas, more than 1000000/,
  );
  refused([...sim, '--capacity', '20', '--startup-delay', '1e12'], /--startup-delay.*at most 86400/);
  const fetch = ['fetch', '--prometheus', 'http://127.0.0.1:9', '--query', 'up', '--output', out];
  refused([...fetch, '--start', '0', '--end', '1764000000', '--step', '0.001'], /--step.*at least 1/);
  refused([...fetch, '--start', '0', '--end', '1764000000', '--step', '60'], /29400001 points, more than 1000000/);
  const jump = join(dir, 'jump.csv');
  writeFileSync(jump, 'timestamp,value\n1,1\n2,1\n3,1\n1767571200,1\n');
  refused(['forecast', '--input', jump, '--horizon', '3', '--output', out], /jump\.csv: samples from 1 to 1767571200/);
});

test('flags that were silently ignored are refused with a message naming them', () => {
  const input = historyFile(6, 'flags.csv');
  refused(['backtest', '--input', input, '--horizon', '6', '--resample', '7'], /--resample 7: .*300 s step/);
  refused(['backtest', '--input', input, '--horizon', '6', '--resample', '0.5'], /--resample/);
  refused(['serve', '--models', ''], /--models.*empty/);
  refused(['serve', '--schedule', 'nope'], /--schedule.*not a cron expression/);
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  refused(['serve', '--state-dir', file], /--state-dir.*not a directory/);
  refused(['run', '--once', '--state-dir', file], /--state-dir.*not a directory/);
  refused(['serve', '--host', 'http://x'], /--host.*not an IP address/);
});

test('a config error exits 2 naming the file, and a quoted cause is not repeated', () => {
  const config = join(dir, 'bad-config.yaml');
  writeFileSync(config, 'cycle: { step: -1 }\n');
  refused(['run', '--once', '--config', config], /bad-config\.yaml/);
  const short = historyFile(1, 'short.csv');
  const r = refused(['backtest', '--input', short, '--horizon', '6', '--models', 'seasonal_naive_day'], /short\.csv/);
  const message = r.stderr.split('\n')[0];
  const words = message.split(': ').slice(2); // after "prescale: E_INPUT"
  assert.equal(new Set(words).size, words.length, message);
});

test('simulate refuses a trace with nothing to score after the warm-up', () => {
  const tiny = join(dir, 'tiny.csv');
  writeFileSync(tiny, 'timestamp,value\n0,1\n300,2\n600,3\n900,4\n');
  const r = refused(
    ['simulate', '--input', tiny, '--capacity', '1', '--startup-delay', '300', '--output', join(dir, 'tiny-out.csv')],
    /tiny\.csv: 4 steps of 300 s .*needs more than 864 steps/,
  );
  assert.doesNotMatch(r.stdout, /scored the last/);
});

test('credentials in the Prometheus URL never appear in what fetch prints', () => {
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'fetch',
      '--prometheus',
      'http://admin:hunter2@127.0.0.1:9',
      '--query',
      'up',
      '--start',
      '0',
      '--end',
      '60',
      '--step',
      '60',
      '--output',
      join(dir, 'f.csv'),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /E_SOURCE_UNREACHABLE: Prometheus at http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:9 is unreachable/);
  assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
});

test('values left out as unusable are said, and the forecast stays finite', () => {
  const input = historyFile(3, 'overflow.csv');
  const text = readFileSync(input, 'utf8').split('\n');
  text[10] = `${text[10].split(',')[0]},1e309`;
  text[20] = `${text[20].split(',')[0]},-5e200`;
  writeFileSync(input, text.join('\n'));
  const out = join(dir, 'overflow-fc.csv');
  const r = cli('forecast', '--input', input, '--horizon', '6', '--output', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /overflow\.csv: 2 values beyond ±1e\+100 or not finite were left out as gaps/);
  for (const l of readFileSync(out, 'utf8').trim().split('\n').slice(1)) {
    assert.ok(
      l.split(',').every((c) => Number.isFinite(Number(c))),
      l,
    );
  }
});

test('simulate --policy takes the miss budget and says how many daily tunings kept to it', () => {
  const input = historyFile(5, 'trace-budget.csv');
  const policy = join(dir, 'budget.yaml');
  writeFileSync(policy, 'targetUnserved: 0.2\n');
  const out = join(dir, 'schedule-budget.csv');
  const args = ['simulate', '--input', input, '--capacity', '20', '--startup-delay', '300', '--output', out];
  const r = cli(...args, '--policy', policy, '--json');
  assert.equal(r.code, 0, r.stderr);
  const { tunings } = JSON.parse(r.stdout) as { tunings: { count: number; withinBudget: number; budgetPct: number } };
  assert.equal(tunings.budgetPct, 0.2);
  assert.ok(tunings.count >= 1 && tunings.withinBudget <= tunings.count, JSON.stringify(tunings));
  const text = cli(...args, '--policy', policy);
  assert.match(text.stdout, /daily tunings: \d+, \d+ of them kept to the 0\.2 % miss budget/);
  // without a budget (the default) the line does not speak of one
  const plain = cli(...args);
  assert.match(plain.stdout, /daily tunings: \d+ \(miss price, no miss budget\)/);
  assert.doesNotMatch(plain.stdout, /100 % miss budget/);
});

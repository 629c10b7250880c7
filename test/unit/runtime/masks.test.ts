import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ExcludeRule } from '../../../src/core/series/mask.js';
import { FileMaskStore, MemoryMaskStore } from '../../../src/runtime/masks.js';

const NOW = Date.parse('2026-12-01T12:00:00Z') / 1000;
const outage: ExcludeRule = { name: 'outage', start: NOW - 7200, end: NOW - 3600 };

test('masks added at run time survive a restart, written atomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-masks-'));
  const a = new FileMaskStore(dir);
  a.add('swarm/web', outage, NOW);
  assert.deepEqual(new FileMaskStore(dir).list('swarm/web'), [outage]);
  assert.deepEqual(fs.readdirSync(dir), ['exclusions.json'], 'no temp file left');
  assert.deepEqual(new FileMaskStore(dir).list('swarm/api'), []);
});

test('a bad entry in the file is dropped on load and said; the good ones are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-masks-'));
  const start = new Date((NOW - 7200) * 1000).toISOString();
  const end = new Date((NOW - 3600) * 1000).toISOString();
  writeFileSync(
    join(dir, 'exclusions.json'),
    JSON.stringify({
      'swarm/web': [
        { name: 'outage', start, end },
        { name: 'bad', start: end, end: start },
      ],
    }),
  );
  const warned: string[] = [];
  const logger = { warn: (o: { why: string }) => warned.push(o.why) } as never;
  assert.deepEqual(new FileMaskStore(dir, { logger }).list('swarm/web'), [outage]);
  assert.match(warned.join(), /end .* is not after start/);
});

test('at most 100 masks a service: the next one is E_INPUT; ranges past the longest history no longer count', () => {
  const m = new MemoryMaskStore();
  for (let i = 0; i < 100; i++)
    m.add('swarm/web', { name: `m${i}`, start: NOW - 60 * (i + 2), end: NOW - 60 * (i + 1) }, NOW);
  assert.throws(
    () => m.add('swarm/web', outage, NOW),
    (e: Error & { code?: string }) => e.code === 'E_INPUT',
  );
  // 91 days later every one of them ended before any history kept: they make room
  m.add('swarm/web', outage, NOW + 91 * 86_400);
  assert.equal(m.list('swarm/web').length, 1);
});

test('a mask that cannot be saved is not kept: E_STATE, and the store as before', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-masks-'));
  const failing = {
    ...fs,
    renameSync: () => {
      throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
    },
  };
  const m = new FileMaskStore(dir, { fs: failing as never });
  assert.throws(
    () => m.add('swarm/web', outage, NOW),
    (e: Error & { code?: string }) => e.code === 'E_STATE' && /ENOSPC|no space/.test(e.message),
  );
  assert.deepEqual(m.list('swarm/web'), []);
  assert.throws(() => readFileSync(join(dir, 'exclusions.json')));
});

import type * as nodeFs from 'node:fs';

/** The file-system calls of an atomic write, injectable so that tests can fail them (a full disk). */
export type AtomicFs = Pick<
  typeof nodeFs,
  'mkdirSync' | 'openSync' | 'writeFileSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'rmSync'
>;

/**
 * Writes `text` to `path` so that a reader sees the old file or the new one, never half of one:
 * a temporary file beside it, fsync, rename. On failure the temporary file is removed and the
 * error is thrown as it came.
 */
export function writeAtomically(fs: AtomicFs, dir: string, path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more can be done about it here: the write's own error is what counts
    }
    throw err;
  }
}

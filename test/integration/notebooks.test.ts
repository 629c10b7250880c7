/**
 * The notebooks under notebooks/ run from start to end on Debian's Python with Jupyter's
 * nbconvert, calling the built CLI, and draw their figures; and the committed copies keep their
 * outputs (so they read on GitHub). They run here without the shared traces (PRESCALE_TRACES
 * points to an empty folder), as on a CI machine: on the repository's data/sample-web.csv.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'notebooks');
const work = mkdtempSync(join(tmpdir(), 'prescale-notebooks-'));
const noTraces = join(work, 'no-traces');
mkdirSync(noTraces);

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Notebook {
  metadata: { kernelspec?: { name: string } };
  cells: { cell_type: string; outputs?: Output[]; execution_count?: number | null }[];
}

const read = (path: string): Notebook => JSON.parse(readFileSync(path, 'utf8'));
const outputs = (nb: Notebook) => nb.cells.flatMap((c) => c.outputs ?? []);
const figures = (nb: Notebook) => outputs(nb).filter((o) => o.data?.['image/png']).length;
const text = (nb: Notebook) =>
  outputs(nb)
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
    .join('');

// name → figures it draws
const NOTEBOOKS: Record<string, number> = { forecast_vs_actual: 1, frontier: 2, lstm: 2 };

for (const [name, least] of Object.entries(NOTEBOOKS)) {
  test(`${name}.ipynb runs without errors on Debian's Python and draws its figures`, () => {
    // Debian's nbconvert (package jupyter-nbconvert, what CI and test/env/install.sh install)
    const r = spawnSync(
      '/usr/bin/jupyter-nbconvert',
      [
        '--to',
        'notebook',
        '--execute',
        '--ExecutePreprocessor.kernel_name=python3',
        '--ExecutePreprocessor.timeout=300',
        '--output-dir',
        work,
        join(DIR, `${name}.ipynb`),
      ],
      {
        encoding: 'utf8',
        timeout: 300_000,
        env: {
          ...process.env,
          // Debian's jupyter and its python3 kernel (/usr/bin/python3), not a pyenv one first on PATH;
          // an empty user data folder so that no user kernelspec named python3 shadows Debian's
          PATH: `/usr/bin:/bin:${process.env.PATH ?? ''}`,
          JUPYTER_DATA_DIR: join(work, 'jupyter-data'),
          PRESCALE_REPO: ROOT,
          PRESCALE_TRACES: noTraces,
          PRESCALE_NOTEBOOK_EPOCHS: '5',
          PYDEVD_DISABLE_FILE_VALIDATION: '1',
        },
      },
    );
    assert.equal(r.status, 0, `nbconvert failed:\n${r.stderr.slice(-3000)}`);
    const nb = read(join(work, `${name}.ipynb`));
    assert.deepEqual(
      outputs(nb).filter((o) => o.output_type === 'error'),
      [],
    );
    assert.ok(figures(nb) >= least, `${name}: ${figures(nb)} figures, expected ${least} or more`);
    assert.match(text(nb), /sample-web/, 'without the traces it runs on data/sample-web.csv');
  });

  test(`the committed ${name}.ipynb keeps its outputs and names Debian's python3 kernel`, () => {
    const nb = read(join(DIR, `${name}.ipynb`));
    assert.equal(nb.metadata.kernelspec?.name, 'python3');
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    assert.ok(code.length > 0 && code.every((c) => typeof c.execution_count === 'number'), 'every cell executed');
    assert.ok(figures(nb) >= least, `${name}: the saved figures`);
    assert.deepEqual(
      outputs(nb).filter((o) => o.output_type === 'error'),
      [],
    );
  });
}

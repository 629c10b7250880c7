import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ForecastModel } from '../../core/forecast/contract.js';
import type { Logger } from '../../observability/logger.js';

/**
 * Loads every trained model under `dir` (one sub-directory each, as `prescale train --out`
 * writes them) as `lstm:<sub-directory>`, for services to pick with `prescale.model=lstm:web`.
 * TensorFlow.js is imported only when there is a model to load. A model that cannot be loaded
 * is logged and skipped; the services that asked for it then fall back (their status says why).
 */
export async function loadTrainedModels(dir: string, logger: Logger): Promise<ForecastModel[]> {
  if (!existsSync(dir)) return [];
  const subdirs = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'metadata.json')))
    .map((d) => d.name)
    .sort();
  if (!subdirs.length) return [];
  const { loadLstm, initBackend } = await import('./lstm/index.js');
  const backend = await initBackend(logger);
  const out: ForecastModel[] = [];
  for (const name of subdirs) {
    try {
      const model = await loadLstm(join(dir, name));
      out.push({ ...model, name: `lstm:${name}` });
      logger.info(
        { model: `lstm:${name}`, backend: backend.name, trainedOn: model.metadata.data },
        'trained model loaded',
      );
    } catch (err) {
      logger.warn({ err, dir: join(dir, name) }, 'trained model not loaded');
    }
  }
  return out;
}

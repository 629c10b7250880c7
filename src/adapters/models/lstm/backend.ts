import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Logger } from '../../../observability/logger.js';

/** The TensorFlow.js backend in use. */
export interface BackendInfo {
  /** `tensorflow` (native, @tensorflow/tfjs-node), `wasm` or `cpu` (pure JavaScript). */
  readonly name: 'tensorflow' | 'wasm' | 'cpu';
  /** Version of @tensorflow/tfjs. */
  readonly tfjsVersion: string;
}

type BackendName = BackendInfo['name'];

/** The optional native binding; a variable so TypeScript does not require its types. */
const TFJS_NODE = '@tensorflow/tfjs-node';

let pending: Promise<BackendInfo> | undefined;

/**
 * Selects the fastest TensorFlow.js backend that works here, once per process (later calls
 * return the same answer):
 *
 * 1. `tensorflow`: @tensorflow/tfjs-node, an optional dependency whose install downloads
 *    libtensorflow — skipped when it is absent or its binary does not load;
 * 2. `wasm`: @tensorflow/tfjs-backend-wasm, its .wasm files read from the package's dist folder
 *    on disk (setWasmPaths with a file path: the Node build of the backend reads it with fs);
 * 3. `cpu`: pure JavaScript, always there, several times slower.
 *
 * PRESCALE_TFJS_BACKEND=wasm|cpu|tensorflow starts the list at that backend (for comparisons).
 */
export function initBackend(logger?: Logger): Promise<BackendInfo> {
  pending ??= select().then((info) => {
    logger?.info({ backend: info.name, tfjs: info.tfjsVersion }, `TensorFlow.js backend: ${info.name}`);
    return info;
  });
  return pending;
}

async function select(): Promise<BackendInfo> {
  const order: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
  const wanted = process.env.PRESCALE_TFJS_BACKEND as BackendName | undefined;
  const from = wanted && order.includes(wanted) ? order.indexOf(wanted) : 0;
  for (const name of order.slice(from)) {
    if (await tryBackend(name)) return { name, tfjsVersion: tf.version.tfjs };
  }
  throw new Error('no TensorFlow.js backend could be initialised');
}

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // registers the `tensorflow` backend with the same @tensorflow/tfjs instance
      await import(TFJS_NODE);
    } else if (name === 'wasm') {
      const require = createRequire(import.meta.url);
      // .../tfjs-backend-wasm/dist/tf-backend-wasm.node.js → its folder, with a trailing slash
      setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    }
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

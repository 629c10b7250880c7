import { describeError, isPrescaleError, type ErrorCode } from '../../../core/domain/errors.js';
import { SizeLimitError, type SizeLimit } from './limits.js';
import { requestChunk, type ChunkRequest } from './request.js';

/**
 * A chunk's answer as it crosses threads: the samples as typed arrays (one copy of their bytes,
 * where arrays of numbers are cloned number by number), or the error as plain data (error classes
 * do not cross threads; `code` absent: not a PrescaleError).
 */
export type ChunkAnswer =
  | { readonly timestamps: Float64Array; readonly values: Float64Array; readonly dropped?: number }
  | { readonly error: { readonly code?: ErrorCode; readonly message: string; readonly limit?: SizeLimit } };

/** The worker's entry: the request, the JSON and the checks of request.ts, off the main thread. */
export default async function run(req: ChunkRequest): Promise<ChunkAnswer> {
  try {
    const s = await requestChunk(req, fetch);
    const timestamps = Float64Array.from(s.timestamps);
    const values = Float64Array.from(s.values);
    return { timestamps, values, ...(s.dropped && { dropped: s.dropped }) };
  } catch (err) {
    const message = describeError(err);
    if (!isPrescaleError(err)) return { error: { message } };
    const limit = err instanceof SizeLimitError ? err.limit : undefined;
    return { error: { code: err.code, message: err.message, ...(limit && { limit }) } };
  }
}

/**
 * Splitting a range query under Prometheus's per-series limit. Prometheus evaluates a range query
 * at `start + k * step` for every k with that time <= end, and refuses more than 11,000 points per
 * series ("exceeded maximum resolution of 11,000 points per timeseries",
 * prometheus/web/api/v1/api.go). Each chunk holds its own evaluation points only and the next one
 * starts one step after the previous chunk's last point, so stitching the answers is a plain
 * concatenation: no sample is fetched twice or skipped at a chunk edge.
 */

/** Prometheus's hard limit on points per series in one range query. */
export const PROMETHEUS_MAX_POINTS = 11_000;

export interface Chunk {
  readonly start: number;
  readonly end: number;
}

/**
 * The chunks covering [start, end] at `step`, each of at most `maxPoints` evaluation points.
 * The last chunk ends at the last evaluation point <= end.
 */
export function planChunks(start: number, end: number, step: number, maxPoints = 10_000): Chunk[] {
  if (!(step > 0)) throw new RangeError(`step must be > 0, got ${step}`);
  if (!(end >= start)) return [];
  if (!(maxPoints >= 1)) throw new RangeError(`maxPoints must be >= 1, got ${maxPoints}`);
  const total = Math.floor((end - start) / step + 1e-9) + 1;
  const chunks: Chunk[] = [];
  for (let first = 0; first < total; first += maxPoints) {
    const last = Math.min(total - 1, first + maxPoints - 1);
    chunks.push({ start: start + first * step, end: start + last * step });
  }
  return chunks;
}

/**
 * Array helpers of the MSTL decomposition: moving averages, medians and periodic profiles over
 * Float64Arrays, written to run in a few passes without allocating per sample.
 */

/** Centered moving average of length `len` (2×len for even len, as classical decomposition); flat at the ends. */
export function centeredMean(x: Float64Array, len: number, out: Float64Array): void {
  const n = x.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + x[i];
  const half = len >> 1;
  if (n <= 2 * half) {
    out.fill(prefix[n] / n);
    return;
  }
  const even = len % 2 === 0;
  for (let t = half; t < n - half; t++) {
    out[t] = even
      ? (prefix[t + half] - prefix[t - half + 1] + 0.5 * (x[t - half] + x[t + half])) / len
      : (prefix[t + half + 1] - prefix[t - half]) / len;
  }
  for (let t = 0; t < half; t++) out[t] = out[half];
  for (let t = n - half; t < n; t++) out[t] = out[n - half - 1];
}

/** Median of the first `k` values of `buf`, sorted in place by insertion (k is a few dozen at most). */
export function medianOf(buf: Float64Array, k: number): number {
  for (let i = 1; i < k; i++) {
    const v = buf[i];
    let j = i - 1;
    while (j >= 0 && buf[j] > v) {
      buf[j + 1] = buf[j];
      j--;
    }
    buf[j + 1] = v;
  }
  return k % 2 ? buf[k >> 1] : 0.5 * (buf[(k >> 1) - 1] + buf[k >> 1]);
}

/** out[t] = x[t] − profile[t mod period], without a division per sample. */
export function subtractPeriodic(x: Float64Array, profile: Float64Array, out: Float64Array): void {
  const period = profile.length;
  for (let t0 = 0; t0 < x.length; t0 += period) {
    const end = Math.min(period, x.length - t0);
    for (let j = 0; j < end; j++) out[t0 + j] = x[t0 + j] - profile[j];
  }
}

/** Subtracts the mean of `profile`, so that a seasonal component sums to zero over its period. */
export function center(profile: Float64Array): void {
  let s = 0;
  for (let i = 0; i < profile.length; i++) s += profile[i];
  s /= profile.length;
  for (let i = 0; i < profile.length; i++) profile[i] -= s;
}

/**
 * Circular moving average of half-width `half` (< n / 2) over the phases marked in `seen` only,
 * into `out` (unmarked phases get 0; `src` must hold 0 there): what a week that the data covers
 * only in part says about each phase's neighbourhood.
 */
export function smoothSeen(src: Float64Array, seen: Uint8Array, half: number, out: Float64Array): void {
  const n = src.length;
  let s = 0;
  let c = 0;
  for (let i = n - half; i < n; i++) {
    s += src[i];
    c += seen[i];
  }
  for (let i = 0; i <= half; i++) {
    s += src[i];
    c += seen[i];
  }
  for (let i = 0; i < n; i++) {
    out[i] = seen[i] && c ? s / c : 0;
    let add = i + half + 1;
    if (add >= n) add -= n;
    let drop = i - half;
    if (drop < 0) drop += n;
    s += src[add] - src[drop];
    c += seen[add] - seen[drop];
  }
}

/** Mean of `x` over the phases marked in `seen`. */
export function meanWhereSeen(x: Float64Array, seen: Uint8Array): number {
  let sum = 0;
  let k = 0;
  for (let j = 0; j < x.length; j++) {
    if (!seen[j]) continue;
    sum += x[j];
    k++;
  }
  return sum / k;
}

/** smoothSeen with every phase marked: the same values without the counts. */
export function smoothAll(src: Float64Array, half: number, out: Float64Array): void {
  const n = src.length;
  const c = 2 * half + 1;
  let s = 0;
  for (let i = n - half; i < n; i++) s += src[i];
  for (let i = 0; i <= half; i++) s += src[i];
  for (let i = 0; i < n; i++) {
    out[i] = s / c;
    let add = i + half + 1;
    if (add >= n) add -= n;
    let drop = i - half;
    if (drop < 0) drop += n;
    s += src[add] - src[drop];
  }
}

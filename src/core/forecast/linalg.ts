/**
 * Small dense least squares for the regression models: normal equations with a ridge term,
 * solved by Cholesky. The systems are tiny (tens of features), so this is exact enough and
 * far faster than a general QR.
 */

/**
 * Solves (XᵀX + λI) β = Xᵀy for β, where X is given row-major as `rows` of length p.
 * The intercept column (if any) is penalised too; λ is relative to the mean diagonal of XᵀX.
 */
export function ridgeSolve(xtx: Float64Array, xty: Float64Array, p: number, lambda = 1e-6): Float64Array {
  const a = Float64Array.from(xtx);
  let trace = 0;
  for (let i = 0; i < p; i++) trace += a[i * p + i];
  const ridge = (lambda * trace) / p || lambda;
  for (let i = 0; i < p; i++) a[i * p + i] += ridge;
  // Cholesky: a = L Lᵀ, in place in the lower triangle
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j];
    for (let k = 0; k < j; k++) d -= a[j * p + k] * a[j * p + k];
    if (!(d > 0)) d = 1e-12;
    const ljj = Math.sqrt(d);
    a[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = s / ljj;
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = xty[i];
    for (let k = 0; k < i; k++) s -= a[i * p + k] * z[k];
    z[i] = s / a[i * p + i];
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= a[k * p + i] * beta[k];
    beta[i] = s / a[i * p + i];
  }
  return beta;
}

/** Accumulates XᵀX and Xᵀy one row at a time (weighted), without storing X. */
export class NormalEquations {
  readonly xtx: Float64Array;
  readonly xty: Float64Array;

  constructor(readonly p: number) {
    this.xtx = new Float64Array(p * p);
    this.xty = new Float64Array(p);
  }

  add(x: Float64Array, y: number, w = 1): void {
    const p = this.p;
    const xtx = this.xtx;
    const xty = this.xty;
    for (let i = 0; i < p; i++) {
      const xi = x[i] * w;
      xty[i] += xi * y;
      const row = i * p;
      for (let j = 0; j <= i; j++) xtx[row + j] += xi * x[j];
    }
  }

  solve(lambda?: number): Float64Array {
    const p = this.p;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) this.xtx[i * p + j] = this.xtx[j * p + i];
    return ridgeSolve(this.xtx, this.xty, p, lambda);
  }
}

/** Σ x[i + v] y[j + v] for v in [0, len), as four interleaved partial sums (independent additions run in parallel). */
export function dot(x: Float64Array, i: number, y: Float64Array, j: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let v = 0;
  for (; v + 3 < len; v += 4) {
    s0 += x[i + v] * y[j + v];
    s1 += x[i + v + 1] * y[j + v + 1];
    s2 += x[i + v + 2] * y[j + v + 2];
    s3 += x[i + v + 3] * y[j + v + 3];
  }
  for (; v < len; v++) s0 += x[i + v] * y[j + v];
  return s0 + s1 + (s2 + s3);
}

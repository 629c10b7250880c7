/**
 * Nelder-Mead simplex minimisation (Nelder & Mead 1965; the standard reflection 1, expansion 2,
 * contraction 0.5, shrink 0.5 coefficients), for the few smoothing parameters of the
 * exponential-smoothing models. Unconstrained: callers map parameters into their ranges.
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  opts: { maxIterations?: number; step?: number; tolerance?: number } = {},
): number[] {
  const n = x0.length;
  const maxIt = opts.maxIterations ?? 200;
  const tol = opts.tolerance ?? 1e-8;
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] += opts.step ?? 1;
    pts.push(p);
  }
  const vals = pts.map((p) => f(p));
  const centroid = new Array<number>(n);
  /** The point centroid + c · (worst − centroid). */
  const along = (c: number): number[] => {
    const out = new Array<number>(n);
    for (let j = 0; j < n; j++) out[j] = centroid[j] + c * (pts[n][j] - centroid[j]);
    return out;
  };
  for (let it = 0; it < maxIt; it++) {
    // order the vertices best first (a stable insertion sort: ties keep their order)
    for (let i = 1; i <= n; i++) {
      const v = vals[i];
      const p = pts[i];
      let k = i - 1;
      for (; k >= 0 && vals[k] > v; k--) {
        vals[k + 1] = vals[k];
        pts[k + 1] = pts[k];
      }
      vals[k + 1] = v;
      pts[k + 1] = p;
    }
    if (Math.abs(vals[n] - vals[0]) <= tol * (Math.abs(vals[0]) + tol)) break;
    centroid.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += pts[i][j] / n;
    const xr = along(-1);
    const fr = f(xr);
    if (fr < vals[0]) {
      const xe = along(-2);
      const fe = f(xe);
      pts[n] = fe < fr ? xe : xr;
      vals[n] = fe < fr ? fe : fr;
    } else if (fr < vals[n - 1]) {
      pts[n] = xr;
      vals[n] = fr;
    } else {
      const xc = fr < vals[n] ? along(-0.5) : along(0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, vals[n])) {
        pts[n] = xc;
        vals[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          const p = new Array<number>(n);
          for (let j = 0; j < n; j++) p[j] = pts[0][j] + 0.5 * (pts[i][j] - pts[0][j]);
          pts[i] = p;
          vals[i] = f(p);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (vals[i] < vals[best]) best = i;
  return pts[best];
}

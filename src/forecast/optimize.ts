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
  let vals = pts.map(f);
  for (let it = 0; it < maxIt; it++) {
    const order = vals.map((v, i) => i).sort((a, b) => vals[a] - vals[b]);
    const sorted = order.map((i) => pts[i]);
    vals = order.map((i) => vals[i]);
    pts.splice(0, pts.length, ...sorted);
    if (Math.abs(vals[n] - vals[0]) <= tol * (Math.abs(vals[0]) + tol)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += pts[i][j] / n;
    const along = (c: number) => centroid.map((cj, j) => cj + c * (pts[n][j] - cj));
    const xr = along(-1);
    const fr = f(xr);
    if (fr < vals[0]) {
      const xe = along(-2);
      const fe = f(xe);
      [pts[n], vals[n]] = fe < fr ? [xe, fe] : [xr, fr];
    } else if (fr < vals[n - 1]) {
      [pts[n], vals[n]] = [xr, fr];
    } else {
      const xc = fr < vals[n] ? along(-0.5) : along(0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, vals[n])) {
        [pts[n], vals[n]] = [xc, fc];
      } else {
        for (let i = 1; i <= n; i++) {
          pts[i] = pts[i].map((v, j) => pts[0][j] + 0.5 * (v - pts[0][j]));
          vals[i] = f(pts[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (vals[i] < vals[best]) best = i;
  return pts[best];
}

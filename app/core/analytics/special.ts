// Special functions the probability models need. Written here (a few lines each) rather than
// pulled from a numerics library: lgamma and a positive-term 2F1 series are all BG/NBD needs.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, ~15 significant digits). */
export function lgamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lgamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln B(a, b). */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/**
 * ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, by its power series. Every term is positive
 * there, so summing in log space is exact enough even when the series first grows (large a, b and
 * z near 1, as for a frequent customer over a long horizon).
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(a > 0 && b > 0 && c > 0) || !(z >= 0 && z < 1)) throw new RangeError(`logHyp2f1 needs a, b, c > 0 and 0 ≤ z < 1 (got ${a}, ${b}, ${c}, ${z})`);
  if (z === 0) return 0;
  let logTerm = 0;
  let logSum = 0; // log of the running sum, starting at the k = 0 term (1)
  for (let k = 0; k < 1_000_000; k++) {
    logTerm += Math.log(((a + k) * (b + k) * z) / ((c + k) * (k + 1)));
    const hi = Math.max(logSum, logTerm);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logTerm - hi));
    // Past the peak the ratio of successive terms is < 1 and falls towards z: stop when the rest is negligible.
    const ratio = ((a + k + 1) * (b + k + 1) * z) / ((c + k + 1) * (k + 2));
    if (ratio < 1 && logTerm - logSum < Math.log(1e-16 * (1 - ratio))) return logSum;
  }
  throw new Error(`logHyp2f1(${a}, ${b}, ${c}, ${z}) did not converge`);
}

// BG/NBD ("buy till you die", Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").
// While alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop out
// with probability p ~ Beta(a, b). Fitted by maximum likelihood on each store's (x, tₓ, T):
//   x  = repeat purchases (orders after the first),
//   tₓ = time from the first to the last purchase,
//   T  = time from the first purchase to the end of the observation period,
// all in the same time unit (we use weeks, as the paper does).
import { lbeta, lgamma, logHyp2f1 } from "./special.ts";
import { nelderMead } from "./optimize.ts";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** Customers grouped by identical (x, tₓ, T): `count` customers share each row. */
export interface RfmSummary {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
  count: ArrayLike<number>;
}

export interface BgNbdFit extends BgNbdParams {
  logLikelihood: number;
  customers: number;
  converged: boolean;
}

function validate(d: RfmSummary): { n: number; maxX: number } {
  const n = d.x.length;
  if (d.tx.length !== n || d.T.length !== n || d.count.length !== n) throw new Error("BG/NBD summary columns have different lengths");
  let maxX = 0;
  for (let i = 0; i < n; i++) {
    const x = d.x[i]!;
    const tx = d.tx[i]!;
    const T = d.T[i]!;
    if (!Number.isInteger(x) || x < 0) throw new Error(`BG/NBD row ${i}: x must be a whole number ≥ 0, got ${x}`);
    if (!(tx >= 0 && T >= tx)) throw new Error(`BG/NBD row ${i}: need 0 ≤ tₓ ≤ T, got tₓ=${tx}, T=${T}`);
    if (x > 0 && !(tx > 0)) throw new Error(`BG/NBD row ${i}: a repeat buyer (x=${x}) needs tₓ > 0`);
    if (!(d.count[i]! >= 0)) throw new Error(`BG/NBD row ${i}: count must be ≥ 0`);
    if (x > maxX) maxX = x;
  }
  return { n, maxX };
}

/**
 * Total log-likelihood (eq. 6 of the paper). The terms that depend only on x are computed once
 * per distinct x, so a store's fit costs a few logs and exps per (x, tₓ, T) row.
 */
export function bgnbdLogLikelihood(p: BgNbdParams, d: RfmSummary, maxX = validate(d).maxX): number {
  const { r, alpha, a, b } = p;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return -Infinity;
  const byX = new Float64Array(maxX + 1); // ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
  const lgR = lgamma(r);
  const lbAB = lbeta(a, b);
  for (let x = 0; x <= maxX; x++) byX[x] = lgamma(r + x) - lgR + r * Math.log(alpha) + lbeta(a, b + x) - lbAB;
  const logA = Math.log(a);
  let ll = 0;
  for (let i = 0; i < d.x.length; i++) {
    const w = d.count[i]!;
    if (w === 0) continue;
    const x = d.x[i]!;
    const a3 = -(r + x) * Math.log(alpha + d.T[i]!);
    let term = a3;
    if (x > 0) {
      const a4 = logA - Math.log(b + x - 1) - (r + x) * Math.log(alpha + d.tx[i]!);
      const hi = Math.max(a3, a4);
      term = hi + Math.log(Math.exp(a3 - hi) + Math.exp(a4 - hi));
    }
    ll += w * (byX[x]! + term);
  }
  return ll;
}

/** Maximum-likelihood fit (Nelder–Mead on log parameters, from r = α = a = b = 1). */
export function fitBgNbd(d: RfmSummary): BgNbdFit {
  const { maxX } = validate(d);
  let customers = 0;
  let repeaters = 0;
  for (let i = 0; i < d.x.length; i++) {
    customers += d.count[i]!;
    if (d.x[i]! > 0) repeaters += d.count[i]!;
  }
  if (customers < 2 || repeaters === 0) throw new Error(`BG/NBD needs at least 2 customers and one repeat purchase (got ${customers} customers, ${repeaters} repeat buyers)`);
  const toParams = (v: number[]): BgNbdParams => ({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) });
  const objective = (v: number[]) => -bgnbdLogLikelihood(toParams(v), d, maxX) / customers;
  // Two passes: a restart from the first optimum guards against a simplex that collapsed early.
  let best = nelderMead(objective, [0, 0, 0, 0], { tolerance: 1e-12, maxIterations: 4000 });
  best = nelderMead(objective, best.x, { tolerance: 1e-13, maxIterations: 4000, step: 0.1 });
  return { ...toParams(best.x), logLikelihood: -best.value * customers, customers, converged: best.converged };
}

/** P(alive | x, tₓ, T): the probability the customer has not dropped out (eq. 11). */
export function probabilityAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const logRatio = Math.log(p.a / (p.b + x - 1)) + (p.r + x) * Math.log((p.alpha + T) / (p.alpha + tx));
  return 1 / (1 + Math.exp(logRatio));
}

/** E[purchases in (T, T + t] | x, tₓ, T] (eq. 10). */
export function expectedPurchases(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = p;
  const z = t / (alpha + T + t);
  // (1 − z)^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z), in logs
  const logTail = (r + x) * Math.log1p(-z) + logHyp2f1(r + x, b + x, a + b + x - 1, z);
  const numerator = ((a + b + x - 1) / (a - 1)) * -Math.expm1(logTail);
  const denominator = x > 0 ? 1 + (a / (b + x - 1)) * Math.exp((r + x) * Math.log((alpha + T) / (alpha + tx))) : 1;
  return numerator / denominator;
}

/**
 * P(no purchase in (T, T + t] | x, tₓ, T). In BG/NBD a customer can only drop out right after a
 * purchase, so this is P(dead) + P(alive) · E[e^(−λt)], with λ | alive ~ Gamma(r + x, α + T).
 */
export function probabilityNoPurchase(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const alive = probabilityAlive(p, x, tx, T);
  return 1 - alive + alive * Math.pow((p.alpha + T) / (p.alpha + T + t), p.r + x);
}

/**
 * Median time until the next purchase, if the customer is still alive: the t with
 * E[e^(−λt)] = ½, i.e. (α + T)(2^(1/(r+x)) − 1). Measured from the end of the observation period.
 */
export function medianTimeToNextPurchase(p: BgNbdParams, x: number, T: number): number {
  return (p.alpha + T) * (Math.pow(2, 1 / (p.r + x)) - 1);
}

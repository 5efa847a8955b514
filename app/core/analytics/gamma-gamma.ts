// Gamma-Gamma model of spend per order (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value
// Curves"; Fader & Hardie's note "The Gamma-Gamma Model of Monetary Value"). Each customer's order
// values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers; fitted by maximum likelihood on
// (number of orders, their mean value) of repeat buyers.
import { lgamma } from "./special.ts";
import { nelderMead } from "./optimize.ts";

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** Customers grouped by identical (x orders, mean order value m > 0). */
export interface SpendSummary {
  x: ArrayLike<number>;
  m: ArrayLike<number>;
  count: ArrayLike<number>;
}

export interface GammaGammaFit extends GammaGammaParams {
  logLikelihood: number;
  customers: number;
  converged: boolean;
}

export function gammaGammaLogLikelihood(g: GammaGammaParams, d: SpendSummary): number {
  const { p, q, gamma } = g;
  if (!(p > 0 && q > 0 && gamma > 0)) return -Infinity;
  const base = q * Math.log(gamma) - lgamma(q);
  const cache = new Map<number, number>(); // ln Γ(px+q) − ln Γ(px), per distinct x
  let ll = 0;
  for (let i = 0; i < d.x.length; i++) {
    const w = d.count[i]!;
    if (w === 0) continue;
    const x = d.x[i]!;
    const m = d.m[i]!;
    let lg = cache.get(x);
    if (lg === undefined) cache.set(x, (lg = lgamma(p * x + q) - lgamma(p * x)));
    ll += w * (lg + base + (p * x - 1) * Math.log(m) + p * x * Math.log(x) - (p * x + q) * Math.log(gamma + m * x));
  }
  return ll;
}

export function fitGammaGamma(d: SpendSummary): GammaGammaFit {
  let customers = 0;
  let total = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i]!;
    const m = d.m[i]!;
    if (!Number.isInteger(x) || x < 1) throw new Error(`Gamma-Gamma row ${i}: x must be a whole number ≥ 1, got ${x}`);
    if (!(m > 0)) throw new Error(`Gamma-Gamma row ${i}: the mean order value must be > 0, got ${m}`);
    customers += d.count[i]!;
    total += d.count[i]! * m;
  }
  if (customers < 2) throw new Error(`Gamma-Gamma needs at least 2 customers with orders of positive value (got ${customers})`);
  // Fit on values divided by their mean (γ scales with the currency unit; the rest does not).
  const scale = total / customers;
  const scaled: SpendSummary = { x: d.x, m: Float64Array.from(d.m as ArrayLike<number>, (m) => m / scale), count: d.count };
  const toParams = (v: number[]): GammaGammaParams => ({ p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[2]!) });
  const objective = (v: number[]) => -gammaGammaLogLikelihood(toParams(v), scaled) / customers;
  let best = nelderMead(objective, [0, Math.log(2), 0], { tolerance: 1e-12, maxIterations: 4000 });
  best = nelderMead(objective, best.x, { tolerance: 1e-13, maxIterations: 4000, step: 0.1 });
  const fit = toParams(best.x);
  // ln L in the original unit: each customer's density picks up a −ln(scale) Jacobian term.
  return { ...fit, gamma: fit.gamma * scale, logLikelihood: -best.value * customers - customers * Math.log(scale), customers, converged: best.converged };
}

/**
 * E[mean order value | x orders averaging m]: a weighted mean of the customer's own average and the
 * population mean pγ/(q − 1), trusting the customer's own average more as x grows. For a customer
 * with no orders (x = 0) it is the population mean. Needs q > 1 (finite population mean).
 */
export function expectedOrderValue(g: GammaGammaParams, x: number, m: number): number {
  if (!(g.q > 1)) throw new Error(`Gamma-Gamma q = ${g.q} ≤ 1: the population mean order value is infinite`);
  return (g.p * (g.gamma + x * m)) / (g.p * x + g.q - 1);
}

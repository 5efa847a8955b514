// BG/NBD and Gamma-Gamma against the published CDNOW estimates, plus the special functions and
// the closed forms they rest on.
import { describe, expect, it } from "vitest";
import { lgamma, logHyp2f1 } from "../../app/core/analytics/special.ts";
import { nelderMead } from "../../app/core/analytics/optimize.ts";
import {
  bgnbdLogLikelihood,
  expectedPurchases,
  fitBgNbd,
  medianTimeToNextPurchase,
  probabilityAlive,
  probabilityNoPurchase,
  type BgNbdParams,
} from "../../app/core/analytics/bgnbd.ts";
import { expectedOrderValue, fitGammaGamma } from "../../app/core/analytics/gamma-gamma.ts";
import { CDNOW_FILE, cdnowCalibration } from "../support/cdnow.ts";

const cal = cdnowCalibration();
const ones = cal.map(() => 1);

describe("special functions", () => {
  it("lgamma matches factorials and Γ(½) = √π", () => {
    let f = 1;
    for (let n = 1; n <= 30; n++) {
      expect(lgamma(n + 1)).toBeCloseTo(Math.log((f *= n)), 9);
    }
    expect(lgamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(lgamma(1e-3)).toBeCloseTo(6.907178885383853, 9); // ln Γ(0.001)
    expect(() => lgamma(0)).toThrow(/x > 0/);
  });

  it("₂F₁ matches closed forms", () => {
    // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z
    for (const z of [0.1, 0.5, 0.9, 0.99]) expect(Math.exp(logHyp2f1(1, 1, 2, z))).toBeCloseTo(-Math.log(1 - z) / z, 10);
    // ₂F₁(a, b; b; z) = (1 − z)^(−a), also for large a where the series first grows
    for (const [a, z] of [[3.5, 0.7], [40.2, 0.95]] as const) expect(logHyp2f1(a, 2.5, 2.5, z)).toBeCloseTo(-a * Math.log(1 - z), 8);
  });

  it("Nelder–Mead finds the minimum of the Rosenbrock function", () => {
    const r = nelderMead(([x, y]) => (1 - x!) ** 2 + 100 * (y! - x! ** 2) ** 2, [-1.2, 1], { tolerance: 1e-14 });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });
});

describe.skipIf(!CDNOW_FILE)("BG/NBD on CDNOW (Fader, Hardie & Lee 2005)", () => {
  // Fitted only when the data is there (a skipped describe's body still runs at collection).
  const fit = CDNOW_FILE ? fitBgNbd({ x: cal.map((c) => c.x), tx: cal.map((c) => c.tx), T: cal.map((c) => c.T), count: ones }) : (null as never);

  it("reproduces the published estimates r=0.243, α=4.414, a=0.793, b=2.426 and ln L=−9582.4", () => {
    expect(cal).toHaveLength(2357);
    expect(fit.converged).toBe(true);
    expect(fit.r).toBeCloseTo(0.243, 2);
    expect(fit.alpha).toBeCloseTo(4.414, 2);
    expect(fit.a).toBeCloseTo(0.793, 2);
    expect(fit.b).toBeCloseTo(2.426, 2);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 1);
  });

  it("gives the same fit on customers grouped by (x, tₓ, T) as one by one", () => {
    const groups = new Map<string, { x: number; tx: number; T: number; n: number }>();
    for (const c of cal) {
      const k = `${c.x}|${c.tx}|${c.T}`;
      const g = groups.get(k) ?? { x: c.x, tx: c.tx, T: c.T, n: 0 };
      g.n++;
      groups.set(k, g);
    }
    const g = [...groups.values()];
    expect(g.length).toBeLessThan(cal.length);
    const grouped = { x: g.map((v) => v.x), tx: g.map((v) => v.tx), T: g.map((v) => v.T), count: g.map((v) => v.n) };
    expect(bgnbdLogLikelihood(fit, grouped)).toBeCloseTo(fit.logLikelihood, 6);
  });

  it("predicts the 39-week holdout in aggregate and ranks customers by it", () => {
    const predicted = cal.reduce((s, c) => s + expectedPurchases(fit, 39, c.x, c.tx, c.T), 0);
    const actual = cal.reduce((s, c) => s + c.holdout, 0);
    // Measured: 1,653 predicted vs 1,882 purchase days (12 % under); the model's own Monte Carlo agrees with eq. 10.
    expect(Math.abs(predicted - actual) / actual).toBeLessThan(0.15);
    // Customers predicted to buy more do buy more: top half vs bottom half by prediction.
    const ranked = [...cal].sort((a, b) => expectedPurchases(fit, 39, b.x, b.tx, b.T) - expectedPurchases(fit, 39, a.x, a.tx, a.T));
    const half = Math.floor(ranked.length / 2);
    const mean = (xs: typeof ranked) => xs.reduce((s, c) => s + c.holdout, 0) / xs.length;
    expect(mean(ranked.slice(0, half))).toBeGreaterThan(3 * mean(ranked.slice(half)));
  });

  it("P(alive), P(no purchase) and the median wait follow from the parameters", () => {
    const p: BgNbdParams = fit;
    expect(probabilityAlive(p, 0, 0, 30)).toBe(1);
    // Same history, longer silence → less likely alive.
    expect(probabilityAlive(p, 4, 10, 38)).toBeLessThan(probabilityAlive(p, 4, 30, 38));
    // The paper's customer with x=2, tₓ=30.43, T=38.86: P(alive) from eq. 11 by hand.
    const manual = 1 / (1 + (p.a / (p.b + 2 - 1)) * ((p.alpha + 38.86) / (p.alpha + 30.43)) ** (p.r + 2));
    expect(probabilityAlive(p, 2, 30.43, 38.86)).toBeCloseTo(manual, 12);
    const noBuy = probabilityNoPurchase(p, 13, 2, 30.43, 38.86);
    expect(noBuy).toBeGreaterThan(1 - manual);
    expect(noBuy).toBeLessThan(1);
    // At the median wait the alive customer's chance of no purchase is exactly ½.
    const t = medianTimeToNextPurchase(p, 2, 38.86);
    expect(Math.pow((p.alpha + 38.86) / (p.alpha + 38.86 + t), p.r + 2)).toBeCloseTo(0.5, 12);
    // Expected purchases grow with the horizon and are 0 for none.
    expect(expectedPurchases(p, 0, 2, 30.43, 38.86)).toBe(0);
    expect(expectedPurchases(p, 52, 2, 30.43, 38.86)).toBeGreaterThan(expectedPurchases(p, 26, 2, 30.43, 38.86));
  });

  it("refuses data it cannot fit, saying why", () => {
    expect(() => fitBgNbd({ x: [0, 0], tx: [0, 0], T: [5, 6], count: [1, 1] })).toThrow(/repeat purchase/);
    expect(() => fitBgNbd({ x: [1], tx: [7], T: [3], count: [1] })).toThrow(/tₓ ≤ T/);
    expect(() => fitBgNbd({ x: [1.5], tx: [1], T: [3], count: [1] })).toThrow(/whole number/);
  });
});

describe.skipIf(!CDNOW_FILE)("Gamma-Gamma on CDNOW (Fader & Hardie's note: p=6.25, q=3.74, γ=15.44)", () => {
  const repeaters = cal.filter((c) => c.x > 0);
  const fit = CDNOW_FILE ? fitGammaGamma({ x: repeaters.map((c) => c.x), m: repeaters.map((c) => c.repeatMean), count: repeaters.map(() => 1) }) : (null as never);

  it("reproduces the published estimates, in dollars and in cents alike", () => {
    expect(repeaters).toHaveLength(946);
    expect(fit.p).toBeCloseTo(6.25, 2);
    expect(fit.q).toBeCloseTo(3.74, 2);
    expect(fit.gamma).toBeCloseTo(15.44, 2);
    const cents = fitGammaGamma({ x: repeaters.map((c) => c.x), m: repeaters.map((c) => c.repeatMean * 100), count: repeaters.map(() => 1) });
    expect(cents.gamma / 100).toBeCloseTo(fit.gamma, 4);
    expect(cents.p).toBeCloseTo(fit.p, 4);
  });

  it("shrinks a customer's own average towards the population mean, less so with more orders", () => {
    const population = (fit.p * fit.gamma) / (fit.q - 1);
    expect(expectedOrderValue(fit, 0, 0)).toBeCloseTo(population, 10);
    const one = expectedOrderValue(fit, 1, 100);
    const ten = expectedOrderValue(fit, 10, 100);
    expect(one).toBeGreaterThan(population);
    expect(one).toBeLessThan(ten);
    expect(ten).toBeLessThan(100);
  });

  it("refuses zero-value averages", () => {
    expect(() => fitGammaGamma({ x: [1, 2], m: [10, 0], count: [1, 1] })).toThrow(/> 0/);
  });
});

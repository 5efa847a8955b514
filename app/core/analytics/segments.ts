// The 11 named RFM segments and the one R×F map that assigns them. Written down here only; the
// SQL rescoring (rfm.server.ts), the docs (DESIGN.md "Analytics") and the UI all read this map.

export const RFM_SEGMENTS = [
  "champions",
  "loyal",
  "potential_loyalist",
  "new",
  "promising",
  "need_attention",
  "about_to_sleep",
  "at_risk",
  "cant_lose",
  "hibernating",
  "lost",
] as const;

export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/**
 * Rows are the recency score R = 5 (bought most recently) … 1, columns the frequency score
 * F = 1 … 5 (most orders). Monetary does not pick the segment; it is kept as a score for sorting
 * and for segments a merchant builds.
 *
 *          F=1              F=2                 F=3                 F=4        F=5
 *   R=5    new              potential_loyalist  potential_loyalist  champions  champions
 *   R=4    promising        potential_loyalist  potential_loyalist  loyal      loyal
 *   R=3    about_to_sleep   about_to_sleep      need_attention      loyal      loyal
 *   R=2    hibernating      hibernating         at_risk             at_risk    cant_lose
 *   R=1    lost             lost                at_risk             at_risk    cant_lose
 */
export const RF_MAP: Readonly<Record<1 | 2 | 3 | 4 | 5, readonly [RfmSegment, RfmSegment, RfmSegment, RfmSegment, RfmSegment]>> = {
  5: ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
  4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"],
  3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
  2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
  1: ["lost", "lost", "at_risk", "at_risk", "cant_lose"],
};

function isScore(n: number): n is 1 | 2 | 3 | 4 | 5 {
  return Number.isInteger(n) && n >= 1 && n <= 5;
}

export function segmentFor(r: number, f: number): RfmSegment {
  if (!isScore(r) || !isScore(f)) throw new RangeError(`RFM scores must be whole numbers 1–5, got R=${r} F=${f}`);
  return RF_MAP[r][f - 1]!;
}

/** All 25 (R, F) cells with their segment, for building the SQL lookup from the same map. */
export function rfMapCells(): { r: number; f: number; segment: RfmSegment }[] {
  const cells: { r: number; f: number; segment: RfmSegment }[] = [];
  for (const r of [1, 2, 3, 4, 5] as const) for (let f = 1; f <= 5; f++) cells.push({ r, f, segment: RF_MAP[r][f - 1]! });
  return cells;
}

export const CHURN_BANDS = ["low", "medium", "high"] as const;
export type ChurnBand = (typeof CHURN_BANDS)[number];

/** Churn risk bands as merchants know them from Klaviyo: Low < 33 % ≤ Medium ≤ 66 % < High. */
export function churnBand(probabilityNoPurchase: number): ChurnBand {
  if (!(probabilityNoPurchase >= 0 && probabilityNoPurchase <= 1)) throw new RangeError(`churn risk must be a probability, got ${probabilityNoPurchase}`);
  return probabilityNoPurchase < 0.33 ? "low" : probabilityNoPurchase <= 0.66 ? "medium" : "high";
}

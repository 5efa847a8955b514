// What "bought together" means for the miner, in one place (the SQL and the tests read these).
//
// A basket is one counted order's set of distinct product ids. Each basket weighs
// 0.5^(age / halfLife), age measured from the mining time, so a pair bought last month counts
// about twice as much as one bought HALF_LIFE_DAYS earlier: the block follows the shop's current
// catalogue and seasons without forgetting slow sellers. Support, confidence and lift are ratios of
// weighted counts; pairCount stays the raw number of orders, which is what minPairCount reads.

export interface MiningParams {
  /** Basket weight halves every this many days; null weighs every order the same. */
  halfLifeDays: number | null;
  /** A pair must appear in at least this many orders (raw count) to be kept: the minimum support. */
  minPairCount: number;
  /** …and reach at least this weighted support (pair weight / all baskets' weight). */
  minSupport: number;
  /** Orders with more distinct products than this are not shoppers' baskets (wholesale, staff
   *  orders) and would cost n² pairs each: they are left out of every count. */
  maxBasketSize: number;
  /** Pairs kept per product, best score first (serving drops unavailable ones, so keep spares). */
  topPerProduct: number;
  /** Confidence is shrunk as w(A,B) / (w(A) + k): a product bought twice has no reliable rules. */
  confidenceShrink: number;
  /** Lift above this adds nothing more to the score (two rare products bought once together). */
  liftCap: number;
}

export const HALF_LIFE_DAYS = 180;

export const DEFAULT_MINING_PARAMS: MiningParams = {
  halfLifeDays: HALF_LIFE_DAYS,
  minPairCount: 2,
  minSupport: 0,
  maxBasketSize: 100,
  topPerProduct: 40,
  confidenceShrink: 5,
  liftCap: 20,
};

/** A basket's weight at `now` (the same formula as the SQL). */
export function basketWeight(placedAt: Date, now: Date, halfLifeDays: number | null): number {
  if (halfLifeDays === null) return 1;
  const ageDays = (now.getTime() - placedAt.getTime()) / 86_400_000;
  return Math.pow(0.5, ageDays / halfLifeDays);
}

/**
 * The ranking of "B for a shopper looking at A": shrunk confidence times a capped lift bonus.
 * Confidence alone would recommend what everybody buys (bags, gift wrap); lift alone would
 * recommend two rare products bought together once. log2(1 + lift) is 1 at independence.
 */
export function pairScore(pairWeight: number, antecedentWeight: number, lift: number, p: Pick<MiningParams, "confidenceShrink" | "liftCap">): number {
  const shrunk = pairWeight / (antecedentWeight + p.confidenceShrink);
  return shrunk * Math.log2(1 + Math.min(lift, p.liftCap));
}

// Choosing the "compre junto" items from a store's snapshot (pure: the snapshot and the shopper's
// profile are loaded elsewhere). Pairs of every product in view (the product page's product, or
// the cart's lines) are summed; what the shopper already bought is dropped and their favourite
// categories are lifted; when pairs run out, the best sellers of the same collections, then the
// same category, fill the rest.

export interface ProductCard {
  id: string;
  title: string;
  handle: string | null;
  imageUrl: string | null;
  priceMinor: number | null;
  currency: string | null;
  /** The variant "add to cart" adds: the first available one. */
  variantId: string | null;
  category: string | null;
}

export interface ScoredId {
  id: string;
  score: number;
}

export interface StoreSnapshot {
  storeId: number;
  /** Products a shopper can buy now (active, published, in stock, not deleted). */
  cards: Map<string, ProductCard>;
  /** Every non-deleted product's groups ("c:<collection>", "t:<category>"), available or not. */
  groups: Map<string, string[]>;
  /** Mined pairs per product, best first, already restricted to available partners. */
  pairs: Map<string, ScoredId[]>;
  /** Best sellers per group, best first, available only. */
  bestByGroup: Map<string, string[]>;
}

export interface ShopperProfile {
  purchased: Set<string>;
  /** Each category the shopper bought from, relative to their most-bought one (1 = favourite). */
  categoryShare: Map<string, number>;
}

export interface Recommendation {
  card: ProductCard;
  reason: "pair" | "bestseller";
}

/** How much a category the shopper buys most can lift a pair's score (×(1 + CATEGORY_BOOST)). */
export const CATEGORY_BOOST = 0.5;

export function recommend(snap: StoreSnapshot, seeds: string[], limit: number, profile: ShopperProfile | null = null): Recommendation[] {
  const seen = new Set(seeds);
  const excluded = (id: string) => seen.has(id) || (profile?.purchased.has(id) ?? false);
  const scores = new Map<string, number>();
  for (const seed of seeds)
    for (const { id, score } of snap.pairs.get(seed) ?? []) if (!excluded(id)) scores.set(id, (scores.get(id) ?? 0) + score);
  const boosted = [...scores].map(([id, score]) => {
    const category = snap.cards.get(id)?.category;
    const share = category ? (profile?.categoryShare.get(category) ?? 0) : 0;
    return { id, score: score * (1 + CATEGORY_BOOST * share) };
  });
  boosted.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  const out: Recommendation[] = [];
  const take = (id: string, reason: Recommendation["reason"]) => {
    const card = snap.cards.get(id);
    if (!card || out.length >= limit) return;
    out.push({ card, reason });
    seen.add(id);
  };
  for (const { id } of boosted) take(id, "pair");
  if (out.length < limit) {
    // Collections first (the merchant's own grouping), then categories, in seed order.
    const groups = seeds.flatMap((s) => snap.groups.get(s) ?? []);
    const ordered = [...groups.filter((g) => g.startsWith("c:")), ...groups.filter((g) => g.startsWith("t:"))];
    for (const g of new Set(ordered)) for (const id of snap.bestByGroup.get(g) ?? []) if (!excluded(id)) take(id, "bestseller");
  }
  return out;
}

/** A shopper's profile from the platform product ids (with categories) on their counted orders. */
export function shopperProfile(bought: { productId: string; category: string | null }[]): ShopperProfile {
  const purchased = new Set<string>();
  const perCategory = new Map<string, number>();
  for (const { productId, category } of bought) {
    if (purchased.has(productId)) continue;
    purchased.add(productId);
    if (category) perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
  }
  const top = Math.max(0, ...perCategory.values());
  return { purchased, categoryShare: new Map([...perCategory].map(([c, n]) => [c, top ? n / top : 0])) };
}

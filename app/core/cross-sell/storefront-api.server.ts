// The storefront's JSON answers, shared by the Shopify app proxy (app/routes/proxy.$.ts) and the
// WooCommerce script endpoint (app/routes/storefront.*): parse the query, pick from the in-memory
// snapshot, shape product cards for the block, and say how long the answer may be cached.
import type { Platform } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { recommendFor } from "./recommend.server.ts";
import type { Recommendation } from "./recommend.ts";

export const MAX_ITEMS = 12;
const MAX_CART = 50;
const ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface StorefrontStore {
  id: number;
  platform: Platform;
}

export type ParsedQuery = { ok: true; productIds: string[]; limit: number } | { ok: false; reason: string };

/** `product_id` (the page's product) and/or `cart` (comma-separated product ids), `limit` 1–12. */
export function parseRecommendationQuery(q: URLSearchParams): ParsedQuery {
  const ids = [...(q.get("product_id") ? [q.get("product_id")!] : []), ...(q.get("cart")?.split(",").filter(Boolean) ?? [])];
  if (!ids.length) return { ok: false, reason: "product_id or cart is required" };
  if (ids.length > MAX_CART) return { ok: false, reason: `at most ${MAX_CART} products per request` };
  const bad = ids.find((id) => !ID.test(id));
  if (bad !== undefined) return { ok: false, reason: `not a product id: ${JSON.stringify(bad.slice(0, 80))}` };
  const rawLimit = q.get("limit");
  const limit = rawLimit === null || rawLimit === "" ? 4 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ITEMS) return { ok: false, reason: `limit must be an integer from 1 to ${MAX_ITEMS}` };
  return { ok: true, productIds: [...new Set(ids)], limit };
}

function productUrl(platform: Platform, r: Recommendation): string | null {
  if (platform === "shopify") return r.card.handle ? `/products/${encodeURIComponent(r.card.handle)}` : null;
  return `/?p=${encodeURIComponent(r.card.id)}`; // WooCommerce: a product's post id resolves to its permalink
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8", ...headers } });
}

/**
 * Anonymous answers are the same for every shopper: shared caches may keep them 5 minutes and
 * serve them stale for an hour while refreshing (pairs change nightly). A logged-in customer's
 * answer is theirs only. The block puts the customer id in its URL, so a browser cache never
 * hands one shopper's answer to the next person on the same URL; Vary covers caches that look
 * at the session cookie instead.
 */
export function cacheHeaders(personal: boolean): Record<string, string> {
  return personal
    ? { "Cache-Control": "private, max-age=60", Vary: "Cookie, Accept-Encoding" }
    : { "Cache-Control": "public, max-age=300, stale-while-revalidate=3600", Vary: "Accept-Encoding" };
}

export async function recommendationsResponse(
  db: Db,
  store: StorefrontStore,
  query: URLSearchParams,
  opts: { customerPlatformId?: string | null; headers?: Record<string, string> } = {},
): Promise<Response> {
  const parsed = parseRecommendationQuery(query);
  if (!parsed.ok) return json(400, { error: parsed.reason }, opts.headers);
  const answer = await recommendFor(db, store.id, { productIds: parsed.productIds, limit: parsed.limit, customerPlatformId: opts.customerPlatformId });
  const items = answer.items.map((r) => ({
    id: r.card.id,
    title: r.card.title,
    url: productUrl(store.platform, r),
    imageUrl: r.card.imageUrl,
    priceMinor: r.card.priceMinor,
    currency: r.card.currency,
    variantId: r.card.variantId,
    reason: r.reason,
  }));
  return json(200, { productIds: parsed.productIds, personalised: answer.personalised, items }, { ...cacheHeaders(Boolean(opts.customerPlatformId)), ...opts.headers });
}

// Serving "compre junto" recommendations fast: each store's pairs, product cards and best sellers
// live in memory (one snapshot per store, ~3 queries to build), so a request costs a few Map
// lookups. A snapshot is re-validated at most every REVALIDATE_MS in the background (the request
// that notices is answered from the old one): it is rebuilt when mining ran (Store.crossSellMinedAt,
// set by the worker process) or a product changed (stock, price, status). invalidateSnapshot()
// rebuilds at once when mining ran in this process.
// Prisma's $queryRaw, not poolOf(): in development Remix routes load this module through Vite,
// whose copy of client.server.ts does not know the server's pools.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER_SQL } from "./counted-orders.ts";
import { recommend, shopperProfile, type ProductCard, type Recommendation, type ScoredId, type ShopperProfile, type StoreSnapshot } from "./recommend.ts";

export const REVALIDATE_MS = 15_000;
const BEST_PER_GROUP = 24;
const PROFILE_TTL_MS = 60_000;
const PROFILE_CACHE_MAX = 20_000;

interface Entry {
  snap: StoreSnapshot;
  version: string;
  checkedAt: number;
  checking: Promise<void> | null;
}

const snapshots = new WeakMap<Db, Map<number, Entry | Promise<Entry>>>();
const profiles = new WeakMap<Db, Map<string, { profile: ShopperProfile | null; until: number }>>();

/** What a snapshot was built from: mining time and the newest product change. */
async function currentVersion(db: Db, storeId: number): Promise<string> {
  const rows = await db.$queryRaw<{ v: string }[]>`
    SELECT coalesce(s."crossSellMinedAt"::text, '-') || '|' || coalesce((SELECT max(p."updatedAt") FROM "Product" p WHERE p."storeId" = s.id)::text, '-') AS v
    FROM "Store" s WHERE s.id = ${storeId}`;
  return rows[0]?.v ?? "missing";
}

export async function loadSnapshot(db: Db, storeId: number): Promise<StoreSnapshot> {
  const [products, pairs, popular] = await Promise.all([
    db.$queryRaw<{ platformId: string; title: string; handle: string | null; imageUrl: string | null; priceMinor: string | null; currency: string | null; variants: unknown; category: string | null; collections: string[]; available: boolean }[]>`
      SELECT "platformId", title, handle, "imageUrl", "priceMinor"::text AS "priceMinor", currency, variants, category, collections,
             ("inStock" AND status = 'active') AS available
      FROM "Product" WHERE "storeId" = ${storeId} AND "deletedAt" IS NULL`,
    db.$queryRaw<{ a: string; b: string; score: number }[]>`SELECT "productId" a, "pairedId" b, score FROM "ProductPair" WHERE "storeId" = ${storeId} ORDER BY a, score DESC, b`,
    db.$queryRaw<{ id: string }[]>`SELECT "productId" id FROM "ProductPopularity" WHERE "storeId" = ${storeId} ORDER BY weight DESC, "productId"`,
  ]);
  const cards = new Map<string, ProductCard>();
  const groups = new Map<string, string[]>();
  for (const p of products) {
    groups.set(p.platformId, [...p.collections.map((c) => `c:${c}`), ...(p.category ? [`t:${p.category}`] : [])]);
    if (!p.available) continue;
    cards.set(p.platformId, {
      id: p.platformId,
      title: p.title,
      handle: p.handle,
      imageUrl: p.imageUrl,
      priceMinor: p.priceMinor === null ? null : Number(p.priceMinor),
      currency: p.currency,
      variantId: firstAvailableVariant(p.variants),
      category: p.category,
    });
  }
  const pairMap = new Map<string, ScoredId[]>();
  for (const { a, b, score } of pairs) {
    if (!cards.has(b)) continue;
    let list = pairMap.get(a);
    if (!list) pairMap.set(a, (list = []));
    list.push({ id: b, score });
  }
  const bestByGroup = new Map<string, string[]>();
  for (const { id } of popular) {
    if (!cards.has(id)) continue;
    for (const g of groups.get(id) ?? []) {
      let list = bestByGroup.get(g);
      if (!list) bestByGroup.set(g, (list = []));
      if (list.length < BEST_PER_GROUP) list.push(id);
    }
  }
  return { storeId, cards, groups, pairs: pairMap, bestByGroup };
}

function firstAvailableVariant(variants: unknown): string | null {
  if (!Array.isArray(variants)) return null;
  const all = variants as { id?: unknown; available?: unknown }[];
  const pick = all.find((v) => v.available !== false) ?? all[0];
  return pick?.id === undefined || pick.id === null ? null : String(pick.id);
}

async function build(db: Db, storeId: number): Promise<Entry> {
  const version = await currentVersion(db, storeId);
  return { snap: await loadSnapshot(db, storeId), version, checkedAt: Date.now(), checking: null };
}

/** The store's snapshot: from memory, built on first use, re-validated in the background. */
export async function getSnapshot(db: Db, storeId: number): Promise<StoreSnapshot> {
  let cache = snapshots.get(db);
  if (!cache) snapshots.set(db, (cache = new Map()));
  const held = cache.get(storeId);
  if (!held) {
    const loading = build(db, storeId);
    cache.set(storeId, loading);
    try {
      const entry = await loading;
      cache.set(storeId, entry);
      return entry.snap;
    } catch (e) {
      cache.delete(storeId);
      throw e;
    }
  }
  const entry = held instanceof Promise ? await held : held;
  if (Date.now() - entry.checkedAt > REVALIDATE_MS && !entry.checking) {
    entry.checking = revalidate(db, storeId, entry, cache).finally(() => (entry.checking = null));
  }
  return entry.snap;
}

async function revalidate(db: Db, storeId: number, entry: Entry, cache: Map<number, Entry | Promise<Entry>>): Promise<void> {
  try {
    const version = await currentVersion(db, storeId);
    if (version === entry.version) entry.checkedAt = Date.now();
    else cache.set(storeId, await build(db, storeId));
  } catch {
    // Database briefly unreachable: keep serving what we have and try again next time.
    entry.checkedAt = Date.now();
  }
}

/** Drop a store's snapshot (mining ran in this process, a test changed products). */
export function invalidateSnapshot(db: Db, storeId: number): void {
  snapshots.get(db)?.delete(storeId);
  const p = profiles.get(db);
  if (p) for (const k of p.keys()) if (k.startsWith(`${storeId}:`)) p.delete(k);
}

/** What a logged-in customer (platform id) bought, briefly cached; null for an unknown customer. */
export async function loadShopperProfile(db: Db, storeId: number, customerPlatformId: string): Promise<ShopperProfile | null> {
  let cache = profiles.get(db);
  if (!cache) profiles.set(db, (cache = new Map()));
  const key = `${storeId}:${customerPlatformId}`;
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.profile;
  const rows = await db.$queryRaw<{ productId: string; category: string | null }[]>`
    SELECT l."productId", coalesce(p.category, l.category) AS category
     FROM "Customer" c
     JOIN "Order" o ON o."storeId" = c."storeId" AND o."customerId" = c.id
       AND ${Prisma.raw(COUNTED_ORDER_SQL)}
     JOIN "OrderLine" l ON l."storeId" = o."storeId" AND l."orderId" = o.id AND l."productId" IS NOT NULL
     LEFT JOIN "Product" p ON p."storeId" = l."storeId" AND p."platformId" = l."productId"
     WHERE c."storeId" = ${storeId} AND c."platformId" = ${customerPlatformId}
     ORDER BY o."placedAt" DESC LIMIT 500`;
  const profile = rows.length ? shopperProfile(rows) : null;
  if (cache.size >= PROFILE_CACHE_MAX) cache.clear();
  cache.set(key, { profile, until: Date.now() + PROFILE_TTL_MS });
  return profile;
}

export interface RecommendRequest {
  productIds: string[];
  limit: number;
  customerPlatformId?: string | null;
}

export interface RecommendAnswer {
  items: Recommendation[];
  personalised: boolean;
}

export async function recommendFor(db: Db, storeId: number, req: RecommendRequest): Promise<RecommendAnswer> {
  const [snap, profile] = await Promise.all([
    getSnapshot(db, storeId),
    req.customerPlatformId ? loadShopperProfile(db, storeId, req.customerPlatformId) : Promise.resolve(null),
  ]);
  return { items: recommend(snap, req.productIds, req.limit, profile), personalised: profile !== null };
}

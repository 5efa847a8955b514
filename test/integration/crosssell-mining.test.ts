// Co-purchase mining on real baskets (UCI Online Retail, two weeks of 2011) checked against an
// independent count in plain JavaScript: every pair's raw count, weighted support, confidence, lift
// and score, with and without recency weighting; then the rules that shape what is kept.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolOf } from "../../app/db/client.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import { minePairs } from "../../app/core/cross-sell/mine-pairs.server.ts";
import { basketWeight, DEFAULT_MINING_PARAMS, pairScore, type MiningParams } from "../../app/core/cross-sell/mining-params.ts";
import { RETAIL_LINES_FILE, readRetailLines, seedOrders, type SeedOrder } from "../fixtures/crosssell-seed.ts";

let t: TestDatabase;
let retail: number;
const lines = readRetailLines();
const NOW = new Date("2011-09-20T00:00:00Z");

interface Expected {
  n: number;
  support: number;
  confidence: number;
  lift: number;
  score: number;
}

/** The textbook definitions, counted with Maps: nothing shared with the SQL but the parameters. */
function expectedRules(p: MiningParams): { rules: Map<string, Expected>; baskets: number } {
  const baskets = new Map<string, { products: Set<string>; placedAt: Date }>();
  for (const l of lines) {
    const b = baskets.get(l.orderId) ?? { products: new Set<string>(), placedAt: l.createdAt };
    b.products.add(l.productId);
    baskets.set(l.orderId, b);
  }
  let total = 0;
  let kept = 0;
  const item = new Map<string, number>();
  const pair = new Map<string, { n: number; w: number }>();
  for (const b of baskets.values()) {
    if (b.products.size > p.maxBasketSize) continue;
    const w = basketWeight(b.placedAt, NOW, p.halfLifeDays);
    total += w;
    kept++;
    const ps = [...b.products];
    for (const a of ps) item.set(a, (item.get(a) ?? 0) + w);
    for (const a of ps)
      for (const c of ps) {
        if (a === c) continue;
        const k = `${a}\u0000${c}`;
        const e = pair.get(k) ?? { n: 0, w: 0 };
        e.n += 1;
        e.w += w;
        pair.set(k, e);
      }
  }
  const out = new Map<string, Expected>();
  for (const [k, e] of pair) {
    if (e.n < p.minPairCount || e.w / total < p.minSupport) continue;
    const [a, c] = k.split("\u0000") as [string, string];
    const confidence = e.w / item.get(a)!;
    const lift = confidence / (item.get(c)! / total);
    out.set(k, { n: e.n, support: e.w / total, confidence, lift, score: pairScore(e.w, item.get(a)!, lift, p) });
  }
  return { rules: out, baskets: kept };
}

async function storedRules(storeId: number) {
  const { rows } = await poolOf(t.db).query<{ a: string; b: string; pairCount: number; support: number; confidence: number; lift: number; score: number }>(
    `SELECT "productId" a, "pairedId" b, "pairCount", support, confidence, lift, score FROM "ProductPair" WHERE "storeId" = $1`,
    [storeId],
  );
  return new Map(rows.map(({ a, b, ...r }) => [`${a}\u0000${b}`, r]));
}

beforeAll(async () => {
  t = await createTestDatabase();
  retail = (await t.db.store.create({ data: { platform: "shopify", domain: "retail.myshopify.com", name: "Retail" } })).id;
  const orders = new Map<string, SeedOrder>();
  for (const l of lines) {
    const o = orders.get(l.orderId) ?? { platformId: l.orderId, placedAt: l.createdAt, productIds: [] };
    o.productIds.push(l.productId); // duplicates kept: a basket is the distinct set
    orders.set(l.orderId, o);
  }
  await seedOrders(t.db, retail, [...orders.values()]);
});

afterAll(async () => {
  await t?.drop();
});

/** Every expected rule stored with the same figures, and nothing else stored; mismatches listed. */
function compare(expected: Map<string, Expected>, stored: Awaited<ReturnType<typeof storedRules>>): number {
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  const wrong: string[] = [];
  for (const [k, e] of expected) {
    const s = stored.get(k);
    const name = k.replace("\u0000", " → ");
    if (!s) wrong.push(`${name}: missing`);
    else if (s.pairCount !== e.n || !close(s.support, e.support) || !close(s.confidence, e.confidence) || !close(s.lift, e.lift) || !close(s.score, e.score))
      wrong.push(`${name}: stored ${JSON.stringify(s)}, expected ${JSON.stringify(e)}`);
  }
  for (const k of stored.keys()) if (!expected.has(k)) wrong.push(`${k.replace("\u0000", " → ")}: not expected`);
  expect(wrong.slice(0, 5)).toEqual([]);
  return expected.size;
}

describe("co-purchase mining", () => {
  it.skipIf(!RETAIL_LINES_FILE)("matches an independent count on the Online Retail baskets (unweighted)", async () => {
    expect([lines.length, new Set(lines.map((l) => l.orderId)).size]).toEqual([20_602, 858]);
    const params = { ...DEFAULT_MINING_PARAMS, halfLifeDays: null, topPerProduct: 1_000_000 };
    const result = await minePairs(t.db, retail, { params, now: NOW });
    const { rules, baskets } = expectedRules(params);
    expect(rules.size).toBeGreaterThan(10_000); // a real workload, not a toy
    expect(compare(rules, await storedRules(retail))).toBe(result.pairs);
    expect(result.baskets).toBe(baskets);
    expect(baskets).toBeLessThan(new Set(lines.map((l) => l.orderId)).size); // oversized orders were left out
  });

  it.skipIf(!RETAIL_LINES_FILE)("matches with recency weighting and a minimum support", async () => {
    const params = { ...DEFAULT_MINING_PARAMS, halfLifeDays: 7, minPairCount: 3, minSupport: 0.004, topPerProduct: 1_000_000 };
    await minePairs(t.db, retail, { params, now: NOW });
    const { rules } = expectedRules(params);
    expect(rules.size).toBeGreaterThan(100);
    compare(rules, await storedRules(retail));
  });

  it("counts only captured, live orders; keeps each product's best pairs; rebuilds one store only", async () => {
    const small = (await t.db.store.create({ data: { platform: "woocommerce", domain: "small.example", name: "Small" } })).id;
    const at = new Date("2011-09-10T00:00:00Z");
    const order = (id: string, productIds: string[], extra: Partial<SeedOrder> = {}): SeedOrder => ({ platformId: id, placedAt: at, productIds, ...extra });
    await seedOrders(t.db, small, [
      order("1", ["cafe", "filtro", "caneca"]),
      order("2", ["cafe", "filtro"]),
      order("3", ["cafe", "caneca"]),
      order("4", ["cafe", "filtro", "acucar"]),
      // none of these is a purchase: pairs cafe–acucar must come from order 4 alone
      order("5", ["cafe", "acucar"], { cancelled: true }),
      order("6", ["cafe", "acucar"], { financialStatus: "pending" }),
      order("7", ["cafe", "acucar"], { financialStatus: "voided" }),
    ]);
    const before = await t.db.productPair.count({ where: { storeId: retail } });
    const result = await minePairs(t.db, small, { params: { minPairCount: 1, topPerProduct: 2 }, now: NOW });
    expect(result.baskets).toBe(4);
    const rules = await t.db.productPair.findMany({ where: { storeId: small }, orderBy: [{ productId: "asc" }, { score: "desc" }] });
    const cafe = rules.filter((r) => r.productId === "cafe");
    expect(cafe.map((r) => r.pairedId)).toEqual(["filtro", "caneca"]); // acucar cut by topPerProduct = 2
    expect(cafe[0]!.pairCount).toBe(3);
    expect(rules.find((r) => r.productId === "acucar" && r.pairedId === "cafe")!.pairCount).toBe(1);
    expect(await t.db.productPair.count({ where: { storeId: retail } })).toBe(before);
    const popularity = await t.db.productPopularity.findUnique({ where: { storeId_productId: { storeId: small, productId: "cafe" } } });
    expect(popularity!.orders).toBe(4);
    expect((await t.db.store.findUniqueOrThrow({ where: { id: small } })).crossSellMinedAt).toEqual(NOW);

    // A rebuild replaces the set: with a higher minimum, the one-off pairs are gone.
    await minePairs(t.db, small, { params: { minPairCount: 2 }, now: NOW });
    const after = await t.db.productPair.findMany({ where: { storeId: small } });
    expect(after.map((r) => `${r.productId}>${r.pairedId}`).sort()).toEqual(["cafe>caneca", "cafe>filtro", "caneca>cafe", "filtro>cafe"]);
  });
});

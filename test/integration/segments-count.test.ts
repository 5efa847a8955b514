// The live count's supporting structures (migration 20261123201000_segment_count_indexes) on a real
// PostgreSQL: "CustomerTag" follows "Customer".tags through every kind of write (Prisma create /
// update / upsert, raw SQL, erasure, delete), tag filters stay case-insensitive and per store, and
// the planner CAN answer the compiled predicates from the new indexes (the SQL written in
// compile.server.ts must match the index expressions word for word).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import type { Db } from "../../app/db/client.server.ts";
import { countSegment, sampleSegment, segmentContext, segmentCountQuery } from "../../app/core/segments/compile.server.ts";
import { parseSegmentFilter } from "../../app/core/segments/filter.ts";
import { eraseCustomer } from "../../app/core/privacy/erase.server.ts";

const NOW = new Date("2026-06-15T12:00:00Z");
let tdb: TestDatabase;
let db: Db;
let storeA: number;
let storeB: number;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.db;
  storeA = (await db.store.create({ data: { platform: "shopify", domain: "count-a.myshopify.com", name: "A" } })).id;
  storeB = (await db.store.create({ data: { platform: "woocommerce", domain: "count-b.example", name: "B" } })).id;
});
afterAll(async () => {
  await tdb?.drop();
});

async function tagRows(storeId: number, customerId: number): Promise<string[]> {
  const rows = await db.customerTag.findMany({ where: { storeId, customerId }, select: { tag: true } });
  return rows.map((r) => r.tag).sort();
}

const cond = (c: Record<string, unknown>) => ({ type: "condition", ...c });
const and = (...children: unknown[]) => ({ type: "group", op: "and", children });
const not = (...children: unknown[]) => ({ type: "group", op: "and", not: true, children });

describe("CustomerTag follows Customer.tags", () => {
  it("on create, update, upsert, raw SQL, erasure and delete", async () => {
    const c = await db.customer.create({ data: { storeId: storeA, platformId: "t1", tags: ["VIP", "vip", "Atacado", 'Cliente "Ouro", SP'] } });
    // Lower-cased, one row per distinct tag.
    expect(await tagRows(storeA, c.id)).toEqual(["atacado", 'cliente "ouro", sp', "vip"]);

    await db.customer.update({ where: { storeId_id: { storeId: storeA, id: c.id } }, data: { tags: ["Atacado", "Novo"] } });
    expect(await tagRows(storeA, c.id)).toEqual(["atacado", "novo"]);

    // An upsert that rewrites the same tags (the ingest paths do) changes nothing.
    await db.customer.upsert({
      where: { storeId_platformId: { storeId: storeA, platformId: "t1" } },
      create: { storeId: storeA, platformId: "t1" },
      update: { tags: ["Atacado", "Novo"], city: "Recife" },
    });
    expect(await tagRows(storeA, c.id)).toEqual(["atacado", "novo"]);

    // Raw SQL, as the bulk paths write, including a NULL element (ignored).
    await db.$executeRaw(Prisma.sql`UPDATE "Customer" SET tags = ARRAY['B2B', NULL] WHERE "storeId" = ${storeA} AND id = ${c.id}`);
    expect(await tagRows(storeA, c.id)).toEqual(["b2b"]);
    await db.$executeRaw(Prisma.sql`INSERT INTO "Customer" ("storeId", "platformId", tags, "updatedAt") VALUES (${storeA}, 't2', ARRAY['Raw'], now())`);
    const t2 = (await db.customer.findFirstOrThrow({ where: { storeId: storeA, platformId: "t2" } })).id;
    expect(await tagRows(storeA, t2)).toEqual(["raw"]);

    // Erasure clears the tags, so their rows go too.
    expect(await eraseCustomer({ db }, storeA, c.id, "test")).not.toBeNull();
    expect(await tagRows(storeA, c.id)).toEqual([]);

    // Deleting a customer (a store uninstall cascades) deletes its rows.
    await db.customer.delete({ where: { storeId_id: { storeId: storeA, id: t2 } } });
    expect(await db.customerTag.count({ where: { storeId: storeA, customerId: t2 } })).toBe(0);
  });

  it("tag filters ignore case, count per store, and agree with the tags themselves", async () => {
    const make = (storeId: number, platformId: string, tags: string[]) => db.customer.create({ data: { storeId, platformId, tags } });
    await make(storeA, "a1", ["VIP"]);
    await make(storeA, "a2", ["vip", "Atacado"]);
    await make(storeA, "a3", ["atacado"]);
    await make(storeA, "a4", []);
    await make(storeB, "b1", ["VIP", "atacado"]);
    await db.customerStats.create({ data: { storeId: storeA, customerId: (await db.customer.findFirstOrThrow({ where: { storeId: storeA, platformId: "a1" } })).id, churnRisk: 0.9 } });
    await db.customerStats.create({ data: { storeId: storeA, customerId: (await db.customer.findFirstOrThrow({ where: { storeId: storeA, platformId: "a3" } })).id, churnRisk: 0.9 } });

    // The expectation computed from Customer.tags directly (store A, not erased).
    const live = await db.customer.findMany({ where: { storeId: storeA, erasedAt: null }, select: { tags: true } });
    const has = (tags: string[], t: string) => tags.some((x) => x.toLowerCase() === t);
    const expectAny = live.filter((c) => has(c.tags, "vip")).length;
    const expectAll = live.filter((c) => has(c.tags, "vip") && has(c.tags, "atacado")).length;
    const expectNone = live.length - expectAny;
    expect(expectAny).toBe(2);

    expect(await countSegment(db, storeA, and(cond({ field: "tags", op: "any", values: ["Vip"] })), NOW)).toBe(expectAny);
    expect(await countSegment(db, storeA, and(cond({ field: "tags", op: "all", values: ["VIP", "ATACADO"] })), NOW)).toBe(expectAll);
    expect(await countSegment(db, storeA, and(cond({ field: "tags", op: "none", values: ["vip"] })), NOW)).toBe(expectNone);
    expect(await countSegment(db, storeA, and(not(cond({ field: "tags", op: "any", values: ["vip"] }))), NOW)).toBe(expectNone);
    // Stats-driven with a tag test: high churn and not VIP = a3 only.
    expect(await countSegment(db, storeA, and(cond({ field: "churnBand", op: "in", values: ["high"] }), not(cond({ field: "tags", op: "any", values: ["VIP"] }))), NOW)).toBe(1);
    // Store B's VIP is never counted in store A, and the other way round.
    expect(await countSegment(db, storeB, and(cond({ field: "tags", op: "any", values: ["vip"] })), NOW)).toBe(1);
  });
});

describe("sample for the live preview", () => {
  it("buyers by total spent (ties newest first), then customers without stats newest first; never erased or another store's", async () => {
    const storeC = (await db.store.create({ data: { platform: "shopify", domain: "count-c.myshopify.com", name: "C" } })).id;
    const make = async (key: string, revenue: number | null, data: Partial<Prisma.CustomerUncheckedCreateInput> = {}) => {
      const c = await db.customer.create({ data: { storeId: storeC, platformId: key, firstName: key, city: "Recife", ...data } });
      if (revenue !== null) await db.customerStats.create({ data: { storeId: storeC, customerId: c.id, ordersCount: 1, revenueMinor: BigInt(revenue) } });
      return c.id;
    };
    await make("low", 1_000);
    await make("top", 90_000);
    await make("tieOld", 5_000);
    await make("tieNew", 5_000);
    await make("noStatsOld", null);
    await make("erased", 99_000, { erasedAt: new Date() });
    await make("noStatsNew", null);
    await make("elsewhere", 50_000, { city: "Natal" });
    const recife = and(cond({ field: "city", op: "in", values: ["recife"] }));
    const names = async (filter: unknown, n: number) => (await sampleSegment(db, storeC, filter, n, NOW)).map((r) => r.firstName);
    expect(await names(recife, 3)).toEqual(["top", "tieNew", "tieOld"]);
    expect(await names(recife, 100)).toEqual(["top", "tieNew", "tieOld", "low", "noStatsNew", "noStatsOld"]);
    // Only customers without stats match "0 orders".
    expect(await names(and(cond({ field: "ordersCount", op: "eq", value: 0 })), 10)).toEqual(["noStatsNew", "noStatsOld"]);
    expect(await names(recife, 0)).toEqual([]);
    // Store A's customers never appear in store C's sample.
    expect(await sampleSegment(db, storeC, and(), 100, NOW)).toHaveLength(7);
  });
});

describe("the planner can answer the compiled counts from the new indexes", () => {
  // Enough rows (in store B) that a primary-key walk is no longer the cheapest plan.
  beforeAll(async () => {
    await db.$executeRaw`INSERT INTO "Customer" ("storeId", "platformId", city, province, "acceptsEmailMarketing", tags, "updatedAt")
      SELECT ${storeB}, 'g' || g, 'Cidade ' || (g % 50), 'S' || (g % 27), g % 2 = 0, CASE WHEN g % 9 = 0 THEN ARRAY['VIP'] ELSE '{}' END, now() FROM generate_series(1, 20000) g`;
    await db.$executeRaw`INSERT INTO "CustomerStats" ("storeId", "customerId", "revenueMinor", "lastOrderAt", "churnRisk", "pAlive", "updatedAt")
      SELECT "storeId", id, (id % 1000) * 100, timestamp '2025-01-01' + (id % 500) * interval '1 day', (id % 100) / 100.0, 1 - (id % 100) / 100.0, now()
      FROM "Customer" WHERE "storeId" = ${storeB}`;
    for (const t of ["Customer", "CustomerStats", "CustomerTag"]) await db.$executeRawUnsafe(`VACUUM ANALYZE "${t}"`);
  });

  /** The plan of the compiled count with sequential scans ruled out: which indexes it reads. */
  async function plan(filter: unknown): Promise<string> {
    const query = segmentCountQuery(parseSegmentFilter(filter), await segmentContext(db, storeB, NOW));
    return db.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      await tx.$executeRaw`SET LOCAL random_page_cost = 1.1`;
      const rows = await tx.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN ${query}`);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
  }

  it("city / state + consent: the partial place index, index-only", async () => {
    const p = await plan(and(cond({ field: "city", op: "in", values: ["São Paulo"] }), cond({ field: "emailConsent", value: true })));
    expect(p).toMatch(/Index Only Scan using "Customer_segment_place_idx"/);
    expect(await plan(and(cond({ field: "province", op: "in", values: ["SP"] })))).toMatch(/Index Only Scan using "Customer_segment_place_idx"/);
  });
  it("spend + recency and churn / P(alive): the covering stats indexes", async () => {
    expect(await plan(and(cond({ field: "totalSpent", op: "gte", value: 30_000 }), cond({ field: "lastOrderAt", op: "more_than_days_ago", days: 90 })))).toMatch(
      /Index Only Scan using "CustomerStats_segment_revenue_idx"/,
    );
    expect(await plan(and(cond({ field: "churnBand", op: "in", values: ["high"] }), not(cond({ field: "tags", op: "any", values: ["vip"] }))))).toMatch(
      /Index Only Scan using "CustomerStats_segment_churn_idx"[\s\S]*CustomerTag_pkey|CustomerTag_pkey[\s\S]*Index Only Scan using "CustomerStats_segment_churn_idx"/,
    );
  });
  it("bought product: the partial index of counted orders", async () => {
    expect(await plan(and(cond({ field: "boughtProduct", productIds: ["P10"], inLastDays: 365 })))).toMatch(/"Order_segment_counted_idx"/);
  });
});

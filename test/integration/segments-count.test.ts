// The live count's supporting structures (migration 20261123201000_segment_count_indexes) on a real
// PostgreSQL: "CustomerTag" follows "Customer".tags through every kind of write (Prisma create /
// update / upsert, raw SQL, erasure, delete), tag filters stay case-insensitive and per store, and
// the planner CAN answer the compiled predicates from the new indexes (the SQL written in
// compile.server.ts must match the index expressions word for word).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import type { Db } from "../../app/db/client.server.ts";
import { countSegment, sampleSegment, segmentContext, segmentCountQuery, segmentMembersQuery } from "../../app/core/segments/compile.server.ts";
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

describe("an OR of index ranges counted as disjoint parts", () => {
  it("adds up to the members the filter selects, with unscored values, tags and erased customers", async () => {
    const storeD = (await db.store.create({ data: { platform: "shopify", domain: "count-d.myshopify.com", name: "D" } })).id;
    // 400 customers with stats whose churn risk / P(alive) are independent, some NULL (unscored), a
    // tenth tagged VIP in varying case, some erased; and 40 without stats.
    await db.$executeRaw`INSERT INTO "Customer" ("storeId", "platformId", tags, "erasedAt", "updatedAt")
      SELECT ${storeD}, 'd' || g, CASE WHEN g % 10 = 0 THEN ARRAY[CASE WHEN g % 20 = 0 THEN 'VIP' ELSE 'vip' END] ELSE '{}' END,
             CASE WHEN g % 37 = 0 THEN now() END, now() FROM generate_series(1, 440) g`;
    await db.$executeRaw`INSERT INTO "CustomerStats" ("storeId", "customerId", "churnRisk", "pAlive", "rfmSegment", "updatedAt")
      SELECT "storeId", id, CASE WHEN id % 13 = 0 THEN NULL ELSE (id * 37 % 100) / 100.0 END, CASE WHEN id % 17 = 0 THEN NULL ELSE (id * 53 % 100) / 100.0 END,
             CASE WHEN id % 3 = 0 THEN 'lost' ELSE 'loyal' END, now()
      FROM "Customer" WHERE "storeId" = ${storeD} AND "platformId" <> ALL(SELECT 'd' || g FROM generate_series(401, 440) g)`;
    const rows = await db.$queryRaw<{ churn: number | null; palive: number | null; seg: string | null; tags: string[]; erased: boolean }[]>`
      SELECT s."churnRisk" AS churn, s."pAlive" AS palive, s."rfmSegment" AS seg, c.tags, c."erasedAt" IS NOT NULL AS erased
      FROM "Customer" c JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id WHERE c."storeId" = ${storeD}`;
    const live = rows.filter((r) => !r.erased);
    const high = (r: (typeof rows)[number]) => r.churn !== null && r.churn > 0.66;
    const lowAlive = (r: (typeof rows)[number]) => r.palive !== null && r.palive < 0.3;
    const vip = (r: (typeof rows)[number]) => r.tags.some((t) => t.toLowerCase() === "vip");
    const lost = (r: (typeof rows)[number]) => r.seg === "lost";
    const orOf = (...children: unknown[]) => ({ type: "group", op: "or", children });
    const churnHigh = cond({ field: "churnBand", op: "in", values: ["high"] });
    const pAliveLow = cond({ field: "pAlive", op: "lt", value: 0.3 });
    const isLost = cond({ field: "rfmSegment", op: "in", values: ["lost"] });
    const notVip = not(cond({ field: "tags", op: "any", values: ["vip"] }));
    // [filter, members, counted as disjoint parts]: an OR with an RFM-segment branch is not split (no
    // index of CustomerStats leads with the segment), its count is one scan; the same members either way.
    const cases: [unknown, (r: (typeof rows)[number]) => boolean, boolean][] = [
      [and(orOf(churnHigh, pAliveLow), notVip), (r) => (high(r) || lowAlive(r)) && !vip(r), true],
      [orOf(churnHigh, pAliveLow), (r) => high(r) || lowAlive(r), true],
      [and(orOf(pAliveLow, churnHigh, isLost)), (r) => lowAlive(r) || high(r) || lost(r), false],
      [and(isLost, orOf(churnHigh, pAliveLow)), (r) => lost(r) && (high(r) || lowAlive(r)), true],
    ];
    for (const [filter, expected, split] of cases) {
      const parsed = parseSegmentFilter(filter);
      // The split is what is measured here (not the one-scan plan).
      expect((segmentCountQuery(parsed, await segmentContext(db, storeD, NOW))).text).toMatch(split ? /^SELECT \(\(SELECT count/ : /^SELECT count\(\*\)::int AS n FROM "CustomerStats" s/);
      const want = live.filter(expected).length;
      expect(want).toBeGreaterThan(0);
      expect(await countSegment(db, storeD, filter, NOW)).toBe(want);
      // The same members the materialisation (one query, no split) selects.
      const members = await db.$queryRaw<{ n: number }[]>(Prisma.sql`SELECT count(*)::int AS n FROM (${segmentMembersQuery(parsed, await segmentContext(db, storeD, NOW))}) m`);
      expect(members[0]!.n).toBe(want);
    }
    // Another store's count does not see store D's customers.
    expect(await countSegment(db, storeA, and(orOf(churnHigh, pAliveLow)), NOW)).toBeLessThan(live.filter((r) => high(r) || lowAlive(r)).length);
  });
});

describe("one action or one tag test alone, counted from its own rows", () => {
  it("counts each customer once, never an erased customer, a row without customer or another store's", async () => {
    const storeE = (await db.store.create({ data: { platform: "shopify", domain: "count-e.myshopify.com", name: "E" } })).id;
    const storeF = (await db.store.create({ data: { platform: "shopify", domain: "count-f.myshopify.com", name: "F" } })).id;
    const make = async (storeId: number, key: string, data: Partial<Prisma.CustomerUncheckedCreateInput> = {}) => (await db.customer.create({ data: { storeId, platformId: key, ...data } })).id;
    const twice = await make(storeE, "twice", { tags: ["VIP"] });
    const erased = await make(storeE, "erased", { tags: ["vip"] });
    const once = await make(storeE, "once");
    const other = await make(storeF, "other", { tags: ["vip"] });
    const message = (storeId: number, customerId: number | null, key: string, openedAt: Date | null, clickedAt: Date | null = null) =>
      db.message.create({ data: { storeId, customerId, idempotencyKey: key, to: "x@example.com", status: "sent", sentAt: NOW, openedAt, clickedAt } });
    const day = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
    await message(storeE, twice, "m1", day(1), day(1));
    await message(storeE, twice, "m2", day(40), day(40));
    await message(storeE, erased, "m3", day(1));
    await message(storeE, once, "m4", day(50));
    await message(storeE, once, "m5", null);
    await message(storeE, null, "m6", day(1));
    await message(storeF, other, "m7", day(1));
    const order = (storeId: number, customerId: number, key: string, paymentMethod: "boleto" | "pix", extra: Partial<Prisma.OrderUncheckedCreateInput> = {}) =>
      db.order.create({ data: { storeId, customerId, platformId: key, currency: "BRL", totalMinor: 1000n, financialStatus: "paid", paymentMethod, placedAt: day(2), ...extra } });
    await order(storeE, twice, "o1", "boleto");
    await order(storeE, twice, "o2", "boleto");
    await order(storeE, erased, "o3", "boleto");
    await order(storeE, once, "o4", "boleto", { cancelledAt: day(1) }); // not a counted order
    await order(storeE, once, "o5", "pix");
    await order(storeF, other, "o6", "boleto");
    const checkout = (storeId: number, customerId: number | null, key: string, startedAt: Date, completedAt: Date | null = null) =>
      db.checkout.create({ data: { storeId, customerId, platformId: key, currency: "BRL", startedAt, completedAt } });
    await checkout(storeE, twice, "k1", day(1));
    await checkout(storeE, twice, "k2", day(3));
    await checkout(storeE, once, "k3", day(1), day(1)); // completed
    await checkout(storeE, erased, "k4", day(1));
    await checkout(storeE, null, "k5", day(1));
    await checkout(storeF, other, "k6", day(1));
    await db.customer.update({ where: { storeId_id: { storeId: storeE, id: erased } }, data: { erasedAt: NOW } });

    const count = (c: Record<string, unknown>) => countSegment(db, storeE, and(cond(c)), NOW);
    expect(await count({ field: "messageOpened" })).toBe(2); // twice (two messages) and once; not erased, not the anonymous one
    expect(await count({ field: "messageOpened", inLastDays: 30 })).toBe(1);
    expect(await count({ field: "messageClicked" })).toBe(1);
    expect(await count({ field: "paymentMethod", values: ["boleto"] })).toBe(1); // once's boleto order was cancelled
    expect(await count({ field: "paymentMethod", values: ["boleto", "pix"] })).toBe(2);
    expect(await count({ field: "abandonedCheckout" })).toBe(1);
    expect(await count({ field: "abandonedCheckout", inLastDays: 2 })).toBe(1);
    expect(await count({ field: "tags", op: "any", values: ["vip", "VIP"] })).toBe(1);
    // The same answers as the members query (which does not take this path).
    const ctx = await segmentContext(db, storeE, NOW);
    for (const c of [{ field: "messageOpened" }, { field: "paymentMethod", values: ["boleto", "pix"] }, { field: "abandonedCheckout" }, { field: "tags", op: "any", values: ["vip"] }]) {
      const rows = await db.$queryRaw<{ n: number }[]>(Prisma.sql`SELECT count(*)::int AS n FROM (${segmentMembersQuery(parseSegmentFilter(and(cond(c))), ctx)}) m`);
      expect(await count(c)).toBe(rows[0]!.n);
    }
    expect(await countSegment(db, storeF, and(cond({ field: "messageOpened" })), NOW)).toBe(1);
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
  it("churn band high OR P(alive) low: two ranges, of the churn and the P(alive) index", async () => {
    const p = await plan(and({ type: "group", op: "or", children: [cond({ field: "churnBand", op: "in", values: ["high"] }), cond({ field: "pAlive", op: "lt", value: 0.3 })] }));
    expect(p).toMatch(/Index Only Scan using "CustomerStats_segment_churn_idx"[\s\S]*Index Cond: .*"churnRisk" >/);
    expect(p).toMatch(/Index Only Scan using "CustomerStats_segment_palive_idx"[\s\S]*Index Cond: .*"pAlive" </);
  });
  it("country, gender, age band and birthday month: the partial demographic indexes, index-only", async () => {
    await db.$executeRaw`UPDATE "Customer" SET country = CASE WHEN id % 40 = 0 THEN 'PT' ELSE 'BR' END, gender = CASE id % 3 WHEN 0 THEN 'female' WHEN 1 THEN 'male' END,
      "birthDate" = CASE WHEN id % 2 = 0 THEN date '1960-01-01' + (id * 37 % 16000) END WHERE "storeId" = ${storeB}`;
    await db.$executeRawUnsafe(`VACUUM ANALYZE "Customer"`);
    expect(await plan(and(cond({ field: "country", op: "in", values: ["PT"] })))).toMatch(/Index Only Scan using "Customer_segment_demo_idx"/);
    expect(await plan(and(cond({ field: "gender", op: "in", values: ["Female"] })))).toMatch(/Index Only Scan using "Customer_segment_demo_idx"/);
    expect(await plan(and(cond({ field: "age", op: "between", value: 25, value2: 34 })))).toMatch(/Index Only Scan using "Customer_segment_birth_idx"/);
    expect(await plan(and(cond({ field: "birthdayMonth", op: "in", values: [12] })))).toMatch(/Index Only Scan using "Customer_segment_birth_idx"/);
    // And they count what the columns say.
    const all = await db.customer.findMany({ where: { storeId: storeB, erasedAt: null }, select: { country: true, gender: true, birthDate: true } });
    expect(await countSegment(db, storeB, and(cond({ field: "country", op: "in", values: ["pt"] })), NOW)).toBe(all.filter((c) => c.country === "PT").length);
    expect(await countSegment(db, storeB, and(cond({ field: "gender", op: "in", values: ["FEMALE"] })), NOW)).toBe(all.filter((c) => c.gender === "female").length);
    expect(await countSegment(db, storeB, and(cond({ field: "birthdayMonth", op: "in", values: [12] })), NOW)).toBe(all.filter((c) => c.birthDate?.getUTCMonth() === 11).length);
  });
  it("payment method used and messages opened / clicked: the partial order and message indexes", async () => {
    await db.$executeRaw`INSERT INTO "Order" ("storeId", "platformId", "customerId", currency, "totalMinor", "financialStatus", "paymentMethod", "placedAt", "updatedAt")
      SELECT "storeId", 'o' || id, id, 'BRL', 5000, 'paid', (CASE id % 4 WHEN 0 THEN 'boleto' WHEN 1 THEN 'pix' ELSE 'card' END)::"PaymentMethod", timestamp '2026-01-01' + (id % 150) * interval '1 day', now()
      FROM "Customer" WHERE "storeId" = ${storeB}`;
    await db.$executeRaw`INSERT INTO "Message" ("storeId", "customerId", "idempotencyKey", "to", status, "sentAt", "openedAt", "clickedAt", "updatedAt")
      SELECT "storeId", id, 'm' || id, 'x@example.com', 'sent', timestamp '2026-05-01', CASE WHEN id % 5 = 0 THEN timestamp '2026-05-02' END, CASE WHEN id % 25 = 0 THEN timestamp '2026-06-02' END, now()
      FROM "Customer" WHERE "storeId" = ${storeB} AND id % 2 = 0`;
    for (const t of ["Order", "Message"]) await db.$executeRawUnsafe(`VACUUM ANALYZE "${t}"`);
    expect(await plan(and(cond({ field: "paymentMethod", values: ["boleto"] })))).toMatch(/"Order_segment_payment_idx"/);
    expect(await plan(and(cond({ field: "messageOpened" })))).toMatch(/"Message_segment_opened_idx"/);
    expect(await plan(and(cond({ field: "messageClicked", inLastDays: 30 })))).toMatch(/"Message_segment_clicked_idx"/);
  });
  it("bought product: the partial index of counted orders", async () => {
    expect(await plan(and(cond({ field: "boughtProduct", productIds: ["P10"], inLastDays: 365 })))).toMatch(/"Order_segment_counted_idx"/);
  });
});

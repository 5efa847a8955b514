// Every operator of the segment filter, run on a real PostgreSQL against hand-picked customers whose
// expected membership is written out by hand. countSegment, segmentMembersQuery and
// customerMatches must agree on each filter; erased customers and other stores never match.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "@prisma/client";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import type { Db } from "../../app/db/client.server.ts";
import { countSegment, customerMatches, sampleSegment, segmentContext, segmentMembersQuery } from "../../app/core/segments/compile.server.ts";
import { parseSegmentFilter, SegmentFilterError } from "../../app/core/segments/filter.ts";

const NOW = new Date("2026-06-15T12:00:00Z");
let tdb: TestDatabase;
let db: Db;
let storeA: number;
let storeB: number;
const ids: Record<string, number> = {};
let vipSegment: number;

const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.db;
  storeA = (await db.store.create({ data: { platform: "shopify", domain: "seg-a.myshopify.com", name: "A", timezone: "America/Sao_Paulo" } })).id;
  storeB = (await db.store.create({ data: { platform: "shopify", domain: "seg-b.myshopify.com", name: "B" } })).id;

  const customer = async (storeId: number, key: string, data: Partial<Prisma.CustomerUncheckedCreateInput>) => {
    const c = await db.customer.create({ data: { storeId, platformId: key, firstName: key, ...data } });
    ids[key] = c.id;
    return c.id;
  };
  const stats = (storeId: number, customerId: number, data: Partial<Prisma.CustomerStatsUncheckedCreateInput>) => db.customerStats.create({ data: { storeId, customerId, ...data } });
  let orderSeq = 0;
  const order = async (storeId: number, customerId: number, data: Partial<Prisma.OrderUncheckedCreateInput>, lines: { productId: string; category: string }[] = []) => {
    const o = await db.order.create({ data: { storeId, customerId, platformId: `o${++orderSeq}`, currency: "BRL", totalMinor: 1000n, financialStatus: "paid", placedAt: NOW, ...data } });
    for (const l of lines) await db.orderLine.create({ data: { storeId, orderId: o.id, title: l.productId, quantity: 1, unitPriceMinor: 1000n, totalMinor: 1000n, ...l } });
    return o.id;
  };

  const ana = await customer(storeA, "ana", {
    city: "São Paulo", province: "SP", country: "BR", gender: "female", email: "ana@gmail.com", zip: "01310-100", birthDate: at("1990-03-10"),
    acceptsEmailMarketing: true, tags: ["VIP", "atacado"], platformCreatedAt: at("2024-05-01T12:00:00Z"),
  });
  await stats(storeA, ana, {
    ordersCount: 5, revenueMinor: 50_000n, avgOrderMinor: 10_000n, firstOrderAt: at("2025-01-10T15:00:00Z"), lastOrderAt: at("2026-06-01T15:00:00Z"),
    rScore: 5, fScore: 5, mScore: 5, rfmSegment: "champions", cluster: 0, predictedClvMinor: 90_000n, pAlive: 0.9, churnRisk: 0.1,
    channelMix: { web: 4, pos: 1 }, shopifyRfmGroup: "CHAMPIONS",
  });
  await order(storeA, ana, { paymentMethod: "pix", utmSource: "Google", utmCampaign: "black_friday", landingSite: "/promo?src=ig", placedAt: at("2026-06-01T15:00:00Z") }, [{ productId: "P1", category: "Shoes" }]);

  const bruno = await customer(storeA, "bruno", {
    city: "Rio de Janeiro", province: "RJ", country: "BR", gender: "male", email: "bruno@uol.com.br", birthDate: at("2005-12-01"),
    acceptsSmsMarketing: true, tags: ["crm:Leais"], platformCreatedAt: at("2025-12-01T12:00:00Z"),
  });
  await stats(storeA, bruno, {
    ordersCount: 1, revenueMinor: 5_000n, avgOrderMinor: 5_000n, firstOrderAt: at("2025-12-20T15:00:00Z"), lastOrderAt: at("2025-12-20T15:00:00Z"),
    rScore: 1, fScore: 1, mScore: 2, rfmSegment: "lost", cluster: 1, predictedClvMinor: 1_000n, pAlive: 0.2, churnRisk: 0.8, channelMix: { pos: 1 },
  });
  await order(storeA, bruno, { paymentMethod: "boleto", channel: "pos", placedAt: at("2025-12-20T15:00:00Z") }, [{ productId: "P2", category: "Bags" }]);
  const pendingOrder = await order(storeA, bruno, { paymentMethod: "boleto", financialStatus: "pending", utmSource: "newsletter", placedAt: at("2026-06-14T15:00:00Z") }, [{ productId: "P3", category: "Hats" }]);
  await db.payment.create({ data: { storeId: storeA, orderId: pendingOrder, platformId: "pay1", method: "boleto", status: "pending", amountMinor: 1000n, currency: "BRL", dueAt: at("2026-06-20T03:00:00Z") } });
  await db.message.create({ data: { storeId: storeA, customerId: bruno, idempotencyKey: "m1", to: "bruno@uol.com.br", status: "sent", openedAt: at("2026-06-10T12:00:00Z") } });

  const carla = await customer(storeA, "carla", {
    city: "campinas", province: "SP", email: "carla_50%@x.com", consentUpdatedAt: at("2026-05-01T12:00:00Z"), acceptsEmailMarketing: false,
  });
  await db.checkout.create({ data: { storeId: storeA, customerId: carla, platformId: "k1", currency: "BRL", startedAt: at("2026-06-10T12:00:00Z"), platformUpdatedAt: at("2026-06-10T12:10:00Z") } });
  // A checkout still being filled (10 minutes ago) is not abandoned yet.
  await db.checkout.create({ data: { storeId: storeA, customerId: ids.bruno!, platformId: "k2", currency: "BRL", startedAt: at("2026-06-15T11:50:00Z") } });
  await db.event.create({ data: { storeId: storeA, customerId: carla, type: "storefront.product_viewed", occurredAt: at("2026-06-14T12:00:00Z"), data: { productId: "P1" } } });

  const duda = await customer(storeA, "duda", { city: "São Paulo", province: "SP", country: "PT", birthDate: at("1958-06-20"), acceptsEmailMarketing: true, tags: ["vip"] });
  // First order at 02:00 UTC on 1 January = 23:00 on 31 December in São Paulo.
  await stats(storeA, duda, {
    ordersCount: 2, revenueMinor: 12_000n, avgOrderMinor: 6_000n, firstOrderAt: at("2026-01-01T02:00:00Z"), lastOrderAt: at("2026-03-01T15:00:00Z"),
    rScore: 3, fScore: 3, mScore: 3, rfmSegment: "need_attention", churnRisk: 0.5, pAlive: 0.5, channelMix: { web: 2 },
  });
  await order(storeA, duda, { paymentMethod: "card", placedAt: at("2026-01-01T02:00:00Z") }, [{ productId: "P2", category: "bags" }]);
  await order(storeA, duda, { paymentMethod: "pix", cancelledAt: at("2026-03-02T00:00:00Z"), placedAt: at("2026-03-01T15:00:00Z") }, [{ productId: "P9", category: "Toys" }]);
  await db.message.create({ data: { storeId: storeA, customerId: duda, idempotencyKey: "m2", to: "duda@x.com", status: "sent", openedAt: at("2026-01-05T12:00:00Z"), clickedAt: at("2026-01-05T12:01:00Z") } });

  // Erased: matches most filters by its data, must never be counted.
  const erased = await customer(storeA, "erased", { city: "São Paulo", acceptsEmailMarketing: true, tags: ["VIP"], erasedAt: at("2026-06-01T00:00:00Z") });
  await stats(storeA, erased, { ordersCount: 9, revenueMinor: 99_000n, rfmSegment: "champions" });

  // Another store's customer with the same look.
  const zed = await customer(storeB, "zed", { city: "São Paulo", acceptsEmailMarketing: true, tags: ["VIP"] });
  await stats(storeB, zed, { ordersCount: 9, revenueMinor: 99_000n, rfmSegment: "champions" });
  await order(storeB, zed, { paymentMethod: "pix" }, [{ productId: "P1", category: "Shoes" }]);

  vipSegment = (await db.segment.create({ data: { storeId: storeA, name: "VIP", filter: {} } })).id;
  await db.segmentMember.create({ data: { storeId: storeA, segmentId: vipSegment, customerId: duda } });
});
afterAll(async () => {
  await tdb?.drop();
});

const and = (...children: unknown[]) => ({ type: "group", op: "and", children });
const or = (...children: unknown[]) => ({ type: "group", op: "or", children });
const not = (...children: unknown[]) => ({ type: "group", op: "and", not: true, children });
const c = (x: Record<string, unknown>) => ({ type: "condition", ...x });

/** Members by name through the three entry points, which must agree. */
async function members(filter: unknown, storeId = storeA): Promise<string[]> {
  const parsed = parseSegmentFilter(filter);
  const ctx = await segmentContext(db, storeId, NOW);
  const rows = await db.$queryRaw<{ customerId: number }[]>(segmentMembersQuery(parsed, ctx));
  const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
  const names = rows.map((r) => byId.get(r.customerId)!).sort();
  expect(await countSegment(db, storeId, filter, NOW)).toBe(names.length);
  for (const [name, id] of Object.entries(ids)) expect(await customerMatches(db, storeId, id, filter, NOW), `${name} matches?`).toBe(names.includes(name));
  return names;
}

describe("segment operators on a real database", () => {
  it("demographics", async () => {
    expect(await members(and(c({ field: "city", op: "in", values: ["SÃO PAULO"] })))).toEqual(["ana", "duda"]);
    expect(await members(and(c({ field: "city", op: "not_in", values: ["São Paulo"] })))).toEqual(["bruno", "carla"]);
    expect(await members(and(c({ field: "city", op: "starts_with", values: ["camp"] })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "province", op: "in", values: ["sp"] })))).toEqual(["ana", "carla", "duda"]);
    expect(await members(and(c({ field: "country", op: "is_not_set" })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "gender", op: "is_set" })))).toEqual(["ana", "bruno"]);
    expect(await members(and(c({ field: "zip", op: "starts_with", values: ["013"] })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "age", op: "between", value: 30, value2: 40 })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "age", op: "lt", value: 21 })))).toEqual(["bruno"]);
    // Duda turns 68 on 20 June: still 67 on 15 June.
    expect(await members(and(c({ field: "age", op: "eq", value: 67 })))).toEqual(["duda"]);
    expect(await members(and(c({ field: "age", op: "neq", value: 67 })))).toEqual(["ana", "bruno"]);
    expect(await members(and(c({ field: "age", op: "is_not_set" })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "birthdayMonth", op: "in", values: [3, 12] })))).toEqual(["ana", "bruno"]);
  });

  it("LIKE values match literally (% and _ are not wildcards)", async () => {
    expect(await members(and(c({ field: "email", op: "contains", values: ["_50%"] })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "email", op: "contains", values: ["%"] })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "email", op: "contains", values: ["a_"] })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "city", op: "in", values: ["'; DROP TABLE \"Customer\"; --"] })))).toEqual([]);
    expect(await db.customer.count()).toBeGreaterThan(0);
  });

  it("behaviour from the stats (customers without stats have 0 orders)", async () => {
    expect(await members(and(c({ field: "ordersCount", op: "gte", value: 2 })))).toEqual(["ana", "duda"]);
    expect(await members(and(c({ field: "ordersCount", op: "lt", value: 2 })))).toEqual(["bruno", "carla"]);
    expect(await members(and(c({ field: "ordersCount", op: "eq", value: 0 })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "totalSpent", op: "between", value: 5_000, value2: 12_000 })))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "avgTicket", op: "gt", value: 5_000 })))).toEqual(["ana", "duda"]);
    expect(await members(and(c({ field: "predictedClv", op: "gte", value: 50_000 })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "pAlive", op: "lte", value: 0.5 })))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "churnRisk", op: "gt", value: 0.4 })))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "rScore", op: "eq", value: 5 })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "fScore", op: "lte", value: 3 })))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "mScore", op: "is_not_set" })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "rfmSegment", op: "in", values: ["champions", "lost"] })))).toEqual(["ana", "bruno"]);
    expect(await members(and(c({ field: "rfmSegment", op: "not_in", values: ["champions"] })))).toEqual(["bruno", "carla", "duda"]);
    expect(await members(and(c({ field: "churnBand", op: "in", values: ["medium"] })))).toEqual(["duda"]);
    expect(await members(and(c({ field: "churnBand", op: "not_in", values: ["high"] })))).toEqual(["ana", "carla", "duda"]);
    expect(await members(and(c({ field: "cluster", op: "in", values: [1] })))).toEqual(["bruno"]);
    expect(await members(and(c({ field: "shopifyRfmGroup", op: "in", values: ["champions"] })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "salesChannel", values: ["pos"] })))).toEqual(["ana", "bruno"]);
  });

  it("dates in the store's calendar, absolute and relative", async () => {
    expect(await members(and(c({ field: "firstOrderAt", op: "from", date: "2026-01-01" })))).toEqual([]);
    expect(await members(and(c({ field: "firstOrderAt", op: "between", date: "2025-12-31", date2: "2025-12-31" })))).toEqual(["duda"]);
    expect(await members(and(c({ field: "firstOrderAt", op: "before", date: "2025-12-21" })))).toEqual(["ana", "bruno"]);
    expect(await members(and(c({ field: "lastOrderAt", op: "in_last_days", days: 30 })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "lastOrderAt", op: "more_than_days_ago", days: 90 })))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "lastOrderAt", op: "is_not_set" })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "customerSince", op: "before", date: "2025-01-01" })))).toEqual(["ana"]);
  });

  it("orders: payment method, products and categories bought, attribution", async () => {
    expect(await members(and(c({ field: "paymentMethod", values: ["pix"] })))).toEqual(["ana"]); // duda's pix order was cancelled
    expect(await members(and(c({ field: "paymentMethod", values: ["boleto", "card"] })))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "paymentMethod", values: ["boleto"], inLastDays: 30 })))).toEqual([]); // the recent boleto is unpaid
    expect(await members(and(c({ field: "boughtProduct", productIds: ["P2"] })))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "boughtProduct", productIds: ["P2"], inLastDays: 170 })))).toEqual(["duda"]);
    expect(await members(and(c({ field: "boughtProduct", productIds: ["P3"] })))).toEqual([]); // not paid
    expect(await members(and(c({ field: "boughtCategory", categories: ["BAGS"] })))).toEqual(["bruno", "duda"]);
    // bought P2 but not P1 … and bought Shoes but not Bags
    expect(await members(and(c({ field: "boughtCategory", categories: ["bags"] }), not(c({ field: "boughtProduct", productIds: ["P1"] }))))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "boughtProduct", productIds: ["P1", "P2"] }), not(c({ field: "boughtCategory", categories: ["bags"] }))))).toEqual(["ana"]);
    expect(await members(and(c({ field: "utmSource", op: "in", values: ["google"] })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "utmSource", op: "in", values: ["newsletter"] })))).toEqual(["bruno"]); // any order, paid or not
    expect(await members(and(c({ field: "utmCampaign", op: "contains", values: ["black_"] })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "utmMedium", op: "in", values: ["email"] })))).toEqual([]);
    expect(await members(and(c({ field: "landingSite", op: "starts_with", values: ["/promo"] })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "referringSite", op: "contains", values: ["x"] })))).toEqual([]);
  });

  it("actions: abandoned checkout, unpaid boleto/Pix, messages, unsubscribed, viewed product, segment membership", async () => {
    expect(await members(and(c({ field: "abandonedCheckout" })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "abandonedCheckout", inLastDays: 3 })))).toEqual([]);
    expect(await members(and(c({ field: "unpaidPayment" })))).toEqual(["bruno"]);
    expect(await members(and(c({ field: "unpaidPayment", methods: ["pix"] })))).toEqual([]);
    expect(await members(and(c({ field: "messageOpened" })))).toEqual(["bruno", "duda"]);
    expect(await members(and(c({ field: "messageOpened", inLastDays: 30 })))).toEqual(["bruno"]);
    expect(await members(and(c({ field: "messageClicked" })))).toEqual(["duda"]);
    expect(await members(and(c({ field: "unsubscribed" })))).toEqual(["carla"]);
    await db.event.create({ data: { storeId: storeA, customerId: ids.ana!, type: "unsubscribed", occurredAt: NOW } });
    expect(await members(and(c({ field: "unsubscribed" })))).toEqual(["ana", "carla"]);
    await db.event.deleteMany({ where: { storeId: storeA, type: "unsubscribed" } });
    expect(await members(and(c({ field: "viewedProduct", productIds: ["P1"] })))).toEqual(["carla"]);
    expect(await members(and(c({ field: "viewedProduct", productIds: ["P2"] })))).toEqual([]);
    expect(await members(and(c({ field: "inSegment", segmentIds: [vipSegment] })))).toEqual(["duda"]);
  });

  it("tags and consent", async () => {
    expect(await members(and(c({ field: "tags", op: "any", values: ["vip"] })))).toEqual(["ana", "duda"]);
    expect(await members(and(c({ field: "tags", op: "all", values: ["VIP", "Atacado"] })))).toEqual(["ana"]);
    expect(await members(and(c({ field: "tags", op: "none", values: ["vip"] })))).toEqual(["bruno", "carla"]);
    expect(await members(and(c({ field: "tags", op: "any", values: ["crm:leais"] })))).toEqual(["bruno"]);
    expect(await members(and(c({ field: "emailConsent", value: true })))).toEqual(["ana", "duda"]);
    expect(await members(and(c({ field: "smsConsent", value: true })))).toEqual(["bruno"]);
  });

  it("nests AND / OR / NOT with complements that include the unscored", async () => {
    expect(await members(or(c({ field: "city", op: "in", values: ["campinas"] }), and(c({ field: "rScore", op: "eq", value: 1 }), c({ field: "smsConsent", value: true }))))).toEqual(["bruno", "carla"]);
    expect(await members(not(c({ field: "churnRisk", op: "gt", value: 0.4 })))).toEqual(["ana", "carla"]);
    expect(await members(not(or(c({ field: "emailConsent", value: true }), not(c({ field: "province", op: "in", values: ["SP"] })))))).toEqual(["carla"]);
    expect(await members(or())).toEqual([]);
  });

  it("never counts erased customers or another store's", async () => {
    expect(await members(and())).toEqual(["ana", "bruno", "carla", "duda"]);
    expect(await members(and(c({ field: "city", op: "in", values: ["São Paulo"] })), storeB)).toEqual(["zed"]);
    expect(await customerMatches(db, storeA, ids.zed!, and(), NOW)).toBe(false);
    expect(await customerMatches(db, storeB, ids.ana!, and(), NOW)).toBe(false);
    expect(await customerMatches(db, storeA, ids.erased!, and(), NOW)).toBe(false);
  });

  it("samples the best customers first and refuses an invalid filter with its path", async () => {
    const sample = await sampleSegment(db, storeA, and(), 2, NOW);
    expect(sample.map((r) => r.firstName)).toEqual(["ana", "duda"]);
    expect(sample[0]).toMatchObject({ ordersCount: 5, revenueMinor: 50_000n, rfmSegment: "champions" });
    await expect(countSegment(db, storeA, and(c({ field: "ordersCount", op: "gt" })))).rejects.toThrow(SegmentFilterError);
    await expect(countSegment(db, storeA, and(c({ field: "ordersCount", op: "gt" })))).rejects.toThrow(/children\.0\.value/);
  });
});

// The per-order stats update (refreshCustomerStats, one statement over the customer's orders read
// once for totals and channel mix, and their lines read once for both favourites) against values
// worked out by hand: favourites by quantity with ties broken by key, lines without a category left
// out of categories, cancelled / test / pending orders not counted, channels counted. Then the
// kept stats equal a recompute from scratch, and another store's customer is never touched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { recomputeAllCustomerStats, refreshCustomerStats } from "../../app/core/ingest/customer-stats.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import { customer, order } from "../support/analytics-data.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const newStore = async (domain: string) => (await t.db.store.create({ data: { platform: "shopify", domain, name: domain, timezone: "America/Sao_Paulo" } })).id;
const stats = (storeId: number) => t.db.customerStats.findMany({ where: { storeId }, orderBy: { customerId: "asc" }, omit: { updatedAt: true } });

describe("incremental customer stats", () => {
  it("favourites, channel mix and totals follow their definitions, and equal a recompute", async () => {
    const storeId = await newStore("stats-a.myshopify.com");
    await applyChanges(t.db, storeId, [
      { kind: "customer.upsert", customer: customer("ana") },
      { kind: "customer.upsert", customer: customer("bia") },
      order({ id: "1", customer: "ana", placedAt: "2026-01-10T12:00:00Z", totalMinor: 1000n, channel: "web", lines: [
        { productId: "p-shoe", category: "shoes", quantity: 2 },
        { productId: "p-hat", category: "hats", quantity: 1 },
        { productId: "p-gift", category: null, quantity: 5 },
      ] }),
      order({ id: "2", customer: "ana", placedAt: "2026-02-10T12:00:00Z", totalMinor: 3000n, refundedMinor: 500n, status: "partially_refunded", channel: "pos", lines: [
        { productId: "p-hat", category: "hats", quantity: 1 },
        { productId: "p-bag", category: "bags", quantity: 2 },
        { productId: "p-belt", category: "belts", quantity: 2 },
      ] }),
      // Not counted: cancelled, test, pending payment — their lines and channels neither.
      order({ id: "3", customer: "ana", placedAt: "2026-03-01T12:00:00Z", totalMinor: 9000n, cancelled: true, channel: "draft", lines: [{ productId: "p-x", category: "xx", quantity: 50 }] }),
      order({ id: "4", customer: "ana", placedAt: "2026-03-02T12:00:00Z", totalMinor: 9000n, test: true, channel: "marketplace", lines: [{ productId: "p-y", category: "yy", quantity: 50 }] }),
      order({ id: "5", customer: "ana", placedAt: "2026-03-03T12:00:00Z", totalMinor: 9000n, status: "pending", channel: "other", lines: [{ productId: "p-z", category: "zz", quantity: 50 }] }),
      order({ id: "6", customer: "bia", placedAt: "2026-03-04T12:00:00Z", totalMinor: 0n, channel: "web" }),
    ]);
    const ana = (await t.db.customer.findFirstOrThrow({ where: { storeId, platformId: "ana" } })).id;
    const [a, b] = await stats(storeId);
    expect(a!.customerId).toBe(ana);
    expect({ n: a!.ordersCount, revenue: a!.revenueMinor, refunded: a!.refundedMinor, days: a!.purchaseDays, avg: a!.avgOrderMinor }).toEqual({ n: 2, revenue: 3500n, refunded: 500n, days: 2, avg: 1750n });
    // Quantities: p-gift 5, then p-bag / p-belt / p-hat / p-shoe at 2 (ties by key); categories:
    // bags, belts, hats, shoes at 2 (the uncategorised gift is no category), top three by key.
    expect(a!.favouriteProducts).toEqual(["p-gift", "p-bag", "p-belt"]);
    expect(a!.favouriteCategories).toEqual(["bags", "belts", "hats"]);
    expect(a!.channelMix).toEqual({ web: 1, pos: 1 });
    // A buyer with one zero-value order and no lines.
    expect({ n: b!.ordersCount, revenue: b!.revenueMinor, cats: b!.favouriteCategories, products: b!.favouriteProducts, mix: b!.channelMix }).toEqual({ n: 1, revenue: 0n, cats: [], products: [], mix: { web: 1 } });

    const kept = await stats(storeId);
    await t.db.$transaction((tx) => recomputeAllCustomerStats(tx, storeId));
    expect(await stats(storeId)).toEqual(kept);

    // Every order cancelled: back to zeros and empty favourites.
    await applyChanges(t.db, storeId, [order({ id: "6", customer: "bia", placedAt: "2026-03-04T12:00:00Z", totalMinor: 0n, cancelled: true, version: 2 })]);
    const bia = (await stats(storeId))[1]!;
    expect({ n: bia.ordersCount, last: bia.lastOrderAt, mix: bia.channelMix, cats: bia.favouriteCategories }).toEqual({ n: 0, last: null, mix: {}, cats: [] });
  });

  it("refreshing with another store's customer id changes nothing there", async () => {
    const a = await newStore("stats-b.myshopify.com");
    const b = await newStore("stats-c.myshopify.com");
    await applyChanges(t.db, b, [{ kind: "customer.upsert", customer: customer("carla") }, order({ id: "b1", customer: "carla", placedAt: "2026-04-01T12:00:00Z", totalMinor: 4200n })]);
    const before = await stats(b);
    await t.db.$transaction((tx) => refreshCustomerStats(tx, a, before.map((s) => s.customerId)));
    expect(await stats(a)).toEqual([]);
    expect(await stats(b)).toEqual(before);
  });
});

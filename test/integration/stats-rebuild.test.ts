// The set-based stats rebuild (setBasedStatsSql, what a backfill's last step runs) writes the rows
// the per-customer refresh writes, for the named customers of its store only, and leaves a row
// alone when its values are already right: a re-run rewrites nothing (same row versions), a changed
// order rewrites only its customer's row.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { setBasedStatsSql } from "../../app/core/sync/stats-rebuild.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import { customer, order } from "../support/analytics-data.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const newStore = async (domain: string) => {
  const storeId = (await t.db.store.create({ data: { platform: "shopify", domain, name: domain, timezone: "America/Sao_Paulo" } })).id;
  await applyChanges(t.db, storeId, [
    { kind: "customer.upsert", customer: customer("ana") },
    { kind: "customer.upsert", customer: customer("bia") },
    { kind: "customer.upsert", customer: customer("caio") },
    order({ id: "1", customer: "ana", placedAt: "2026-01-10T12:00:00Z", totalMinor: 1000n, channel: "web", lines: [
      { productId: "p-shoe", category: "shoes", quantity: 2 },
      { productId: "p-hat", category: "hats", quantity: 2 },
      { productId: "p-gift", category: null, quantity: 5 },
    ] }),
    // Same local day in São Paulo (late evening, UTC next day): one purchase day.
    order({ id: "2", customer: "ana", placedAt: "2026-01-11T02:00:00Z", totalMinor: 3000n, refundedMinor: 500n, status: "partially_refunded", channel: "pos", lines: [
      { productId: "p-bag", category: "bags", quantity: 1 },
      { productId: "p-belt", category: "belts", quantity: 3 },
    ] }),
    order({ id: "3", customer: "bia", placedAt: "2026-02-01T12:00:00Z", totalMinor: 500n, channel: "marketplace", lines: [{ productId: "p-hat", category: "hats", quantity: 1 }] }),
    order({ id: "4", customer: "caio", placedAt: "2026-02-02T12:00:00Z", totalMinor: 900n, cancelled: true }),
  ]);
  return storeId;
};

const ids = (storeId: number) => t.db.customer.findMany({ where: { storeId }, select: { id: true }, orderBy: { id: "asc" } }).then((r) => r.map((c) => c.id));
const rebuild = (storeId: number, customerIds: number[]) => t.db.$executeRawUnsafe(setBasedStatsSql(), storeId, customerIds);
const stats = (storeId: number) => t.db.customerStats.findMany({ where: { storeId }, orderBy: { customerId: "asc" }, omit: { updatedAt: true } });
const versions = (storeId: number) =>
  t.db.$queryRaw<{ customerId: number; version: string }[]>`SELECT "customerId", xmin::text AS version FROM "CustomerStats" WHERE "storeId" = ${storeId} ORDER BY 1`;

describe("set-based stats rebuild", () => {
  it("equals the per-customer refresh, touches only its store, and rewrites only rows that change", async () => {
    const a = await newStore("rebuild-a.myshopify.com");
    const b = await newStore("rebuild-b.myshopify.com");
    const expected = await stats(a);
    expect(expected.map((s) => [s.ordersCount, s.purchaseDays])).toEqual([[2, 1], [1, 1], [0, 0]]);
    expect(expected[0]).toMatchObject({ channelMix: { web: 1, pos: 1 }, favouriteCategories: ["belts", "hats", "shoes"] });

    // Rows as the customers phase leaves them (Shopify's columns only), then the rebuild.
    await t.db.customerStats.updateMany({ where: { storeId: a }, data: { ordersCount: 0, revenueMinor: 0n, firstOrderAt: null, lastOrderAt: null, purchaseDays: 0, favouriteCategories: [], favouriteProducts: [], channelMix: {} } });
    const bBefore = await versions(b);
    expect(await rebuild(a, await ids(a))).toBe(2); // caio's zeros were already right
    expect(await stats(a)).toEqual(expected);
    expect(await versions(b)).toEqual(bBefore);

    // A re-run (a resync): nothing rewritten.
    const first = await versions(a);
    expect(await rebuild(a, await ids(a))).toBe(0);
    expect(await versions(a)).toEqual(first);

    // One customer's order changes (a newer version; the webhook path refreshes bia's row), and
    // bia's row is then made stale: the rebuild rewrites that row only, back to the refresh's values.
    await applyChanges(t.db, a, [order({ id: "3", customer: "bia", placedAt: "2026-02-01T12:00:00Z", totalMinor: 800n, channel: "marketplace", version: 1, lines: [{ productId: "p-hat", category: "hats", quantity: 1 }] })]);
    const refreshed = await stats(a);
    expect(refreshed[1]!.revenueMinor).toBe(800n);
    await t.db.customerStats.update({ where: { storeId_customerId: { storeId: a, customerId: refreshed[1]!.customerId } }, data: { revenueMinor: 0n } });
    const before = await versions(a);
    expect(await rebuild(a, await ids(a))).toBe(1);
    expect(await stats(a)).toEqual(refreshed);
    const after = await versions(a);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]!.version).not.toBe(before[1]!.version);
    expect(after[2]).toEqual(before[2]);
  });
});

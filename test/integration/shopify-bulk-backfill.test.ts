// Backfill through Bulk Operations against the Admin API simulator (real HTTP, real JSONL file,
// throttling and a transient 503 injected): the store ends up with exactly the simulated history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createAdminGraphql } from "../../adapters/shopify/admin-graphql.server.ts";
import { runShopifyBackfill } from "../../app/jobs/shopify-backfill.server.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

const SHOP = "backfill-test.myshopify.com";
let services: TestServices;
let sim: AdminSimulator;

beforeAll(async () => {
  services = await startTestServices();
  sim = await startAdminSimulator({ store: { seed: 21, customers: 250, shopDomain: SHOP }, accessToken: "shpat_backfill", bulkPollsUntilComplete: 2 });
});
afterAll(async () => {
  await sim?.close();
  await services?.cleanup();
});

describe("Shopify bulk backfill", () => {
  it("imports products, customers and orders exactly, and a second run changes nothing", async () => {
    const { db } = services;
    const store = await db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Backfill", currency: "BRL" } });
    const client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_backfill", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
    sim.failNext(1, { status: 503 });
    const result = await runShopifyBackfill(services, store.id, { client, batchSize: 200, pollIntervalMs: 10 });
    const expected = sim.summary();
    expect(result.objects).toEqual({ products: expected.products, customers: expected.customers, orders: expected.orders });

    const storeId = store.id;
    expect(await db.product.count({ where: { storeId } })).toBe(expected.products);
    expect(await db.customer.count({ where: { storeId } })).toBe(expected.customers);
    expect(await db.order.count({ where: { storeId } })).toBe(expected.orders);
    const [money] = await db.$queryRaw<{ revenue: bigint; refunded: bigint }[]>(Prisma.sql`
      SELECT coalesce(sum("totalMinor") FILTER (WHERE "cancelledAt" IS NULL), 0)::bigint AS revenue, coalesce(sum("refundedMinor"), 0)::bigint AS refunded
      FROM "Order" WHERE "storeId" = ${storeId}`);
    expect(money!.revenue, "revenue").toBe(expected.revenueMinor);
    expect(money!.refunded, "refunded").toBe(expected.refundedMinor);
    expect(await db.order.count({ where: { storeId, customerId: null } }), "guest orders").toBe(expected.guestOrders);
    const run = await db.syncRun.findFirstOrThrow({ where: { storeId, kind: "backfill" }, orderBy: { id: "desc" } });
    expect(run).toMatchObject({ status: "done", done: expected.products + expected.customers + expected.orders });
    expect(sim.stats().total).toBeGreaterThan(6);

    // Idempotent: the same history again leaves every count and sum where it was.
    const statsBefore = await db.customerStats.aggregate({ where: { storeId }, _sum: { revenueMinor: true, ordersCount: true } });
    const linesBefore = await db.orderLine.count({ where: { storeId } });
    expect(linesBefore).toBeGreaterThan(expected.orders);
    await runShopifyBackfill(services, store.id, { client, batchSize: 500, pollIntervalMs: 10 });
    expect(await db.order.count({ where: { storeId } })).toBe(expected.orders);
    expect(await db.orderLine.count({ where: { storeId } })).toBe(linesBefore);
    const statsAfter = await db.customerStats.aggregate({ where: { storeId }, _sum: { revenueMinor: true, ordersCount: true } });
    expect(statsAfter._sum).toEqual(statsBefore._sum);
  });

  it("fails, rather than passing for complete, when a result file ends early; the retry loads everything", async () => {
    const { db } = services;
    const store = await db.store.create({ data: { platform: "shopify", domain: "backfill-cut.myshopify.com", name: "Cut", currency: "BRL" } });
    const client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_backfill", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
    const expected = sim.summary();
    sim.cutNextDownload(5); // the products file, served short with a 200
    await expect(runShopifyBackfill(services, store.id, { client, pollIntervalMs: 10 })).rejects.toThrow(new RegExp(`bulk products result held \\d+ of the ${expected.products} objects Shopify reported`));
    const failed = await db.syncRun.findFirstOrThrow({ where: { storeId: store.id, kind: "backfill" }, orderBy: { id: "desc" } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/result held/);
    expect((await db.store.findUniqueOrThrow({ where: { id: store.id } })).lastSyncedAt).toBeNull();

    const result = await runShopifyBackfill(services, store.id, { client, pollIntervalMs: 10 });
    expect(result.objects).toEqual({ products: expected.products, customers: expected.customers, orders: expected.orders });
    expect(await db.order.count({ where: { storeId: store.id } })).toBe(expected.orders);
  });
});

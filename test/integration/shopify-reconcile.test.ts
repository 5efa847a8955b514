// Reconciliation heals changes whose webhooks never arrived: after a backfill, the shop changes a
// customer and cancels an order without telling us; the next reconciliation pass fetches exactly
// those (updated_at search) and the store's data and stats follow.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql, type AdminGraphqlClient } from "../../adapters/shopify/admin-graphql.server.ts";
import { runShopifyBackfill } from "../../app/jobs/shopify-backfill.server.ts";
import { enqueueShopifyReconciliations, reconcileShopifyStore } from "../../app/jobs/shopify-reconcile.server.ts";
import { QUEUES } from "../../app/jobs/queues.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

const SHOP = "reconcile-test.myshopify.com";
let services: TestServices;
let sim: AdminSimulator;
let client: AdminGraphqlClient;

beforeAll(async () => {
  services = await startTestServices();
  // The simulated history ends a day before the real clock, so only edits made "now" are newer
  // than the last sync.
  sim = await startAdminSimulator({
    store: { seed: 33, customers: 120, shopDomain: SHOP, now: new Date(Date.now() - 24 * 3600_000) },
    accessToken: "shpat_reconcile",
  });
  client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_reconcile", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
});
afterAll(async () => {
  await sim?.close();
  await services?.cleanup();
});

describe("Shopify reconciliation", () => {
  it("is scheduled once per installed, synced, real Shopify store, and never twice in the queue", async () => {
    const { db, boss } = services;
    const make = (domain: string, data: Record<string, unknown>) => db.store.create({ data: { platform: "shopify", domain, name: domain, ...data } });
    const due = await make("due.myshopify.com", { lastSyncedAt: new Date() });
    await make("never.myshopify.com", {});
    await make("gone.myshopify.com", { lastSyncedAt: new Date(), uninstalledAt: new Date() });
    await make("demo-x.myshopify.com", { lastSyncedAt: new Date(), isDemo: true });
    expect(await enqueueShopifyReconciliations(services)).toBe(1);
    expect(await enqueueShopifyReconciliations(services)).toBe(1); // the tick fires again before the job ran
    const queued = await boss.findJobs<{ storeId: number }>(QUEUES.shopifyReconcile, { queued: true });
    expect(queued.map((j) => j.data.storeId)).toEqual([due.id]);
    await db.store.update({ where: { id: due.id }, data: { lastSyncedAt: null } });
  });

  it("is skipped before the first backfill", async () => {
    const store = await services.db.store.create({ data: { platform: "shopify", domain: "never-synced.myshopify.com", name: "New" } });
    expect(await reconcileShopifyStore(services, store.id, { client })).toEqual({ skipped: "never-synced" });
  });

  it("fetches only what changed since the last pass and applies it", async () => {
    const { db } = services;
    const store = await db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Reconcile", currency: "BRL" } });
    const storeId = store.id;
    await runShopifyBackfill(services, storeId, { client, pollIntervalMs: 5 });
    const syncedAt = (await db.store.findUniqueOrThrow({ where: { id: storeId } })).lastSyncedAt!;

    // Changes in the shop that sent no webhook we received.
    const simCustomer = sim.store.plan.customers[3]!;
    const order = await db.order.findFirstOrThrow({
      where: { storeId, financialStatus: "paid", cancelledAt: null, customer: { platformId: { not: String(simCustomer.id) } } },
      orderBy: { id: "asc" },
    });
    const buyer = await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId, id: order.customerId! } } });
    const editedAt = new Date(Date.now() + 1000);
    sim.editRecord(`gid://shopify/Customer/${simCustomer.id}`, { firstName: "Reconciliada" }, editedAt);
    sim.editRecord(`gid://shopify/Order/${order.platformId}`, { cancelledAt: editedAt.toISOString(), displayFinancialStatus: "VOIDED" }, editedAt);
    const statsBefore = await db.customerStats.findUniqueOrThrow({ where: { storeId_customerId: { storeId, customerId: buyer.id } } });

    const outcome = await reconcileShopifyStore(services, storeId, { client, pollIntervalMs: 5 });
    expect(outcome.skipped).toBeNull();
    if (outcome.skipped !== null) return;
    expect(outcome.since.getTime()).toBeLessThan(syncedAt.getTime());
    expect(outcome.objects).toEqual({ products: 0, customers: 1, orders: 1 });

    const renamed = await db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId, platformId: String(simCustomer.id) } } });
    expect(renamed.firstName).toBe("Reconciliada");
    const cancelled = await db.order.findUniqueOrThrow({ where: { storeId_id: { storeId, id: order.id } } });
    expect(cancelled.cancelledAt?.toISOString()).toBe(editedAt.toISOString());
    expect(cancelled.financialStatus).toBe("voided");
    const statsAfter = await db.customerStats.findUniqueOrThrow({ where: { storeId_customerId: { storeId, customerId: buyer.id } } });
    expect(statsAfter.ordersCount).toBe(statsBefore.ordersCount - 1);
    expect(statsAfter.revenueMinor).toBe(statsBefore.revenueMinor - order.totalMinor);

    const run = await db.syncRun.findFirstOrThrow({ where: { storeId, kind: "reconcile" }, orderBy: { id: "desc" } });
    expect(run).toMatchObject({ status: "done", done: 2, total: 2 });
    // A second pass right away finds nothing new beyond the overlap window's edits.
    const again = await reconcileShopifyStore(services, storeId, { client, pollIntervalMs: 5 });
    expect(again.skipped === null && again.objects).toEqual({ products: 0, customers: 1, orders: 1 });
    expect(await db.order.count({ where: { storeId } })).toBe(sim.summary().orders);
  });
});

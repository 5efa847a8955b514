// Importing a WooCommerce store over REST against the simulator: the whole history lands with the
// counts and money the simulated shop says it has; a backfill that dies mid-pagination resumes
// from its cursor without re-reading finished pages; revoked keys pause the sync with the reason
// (nothing lost, reconnecting resumes); reconciliation heals a missed webhook; segment tags are
// pushed to customer meta under our key only, sending only what differs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, type Store } from "@prisma/client";
import { ensureWooStore, saveWooCredentials, wooSyncState } from "../../app/jobs/woocommerce-connection.server.ts";
import { runWooBackfill } from "../../app/jobs/woocommerce-backfill.server.ts";
import { reconcileWooStore } from "../../app/jobs/woocommerce-maintenance.server.ts";
import { pushSegmentsToWooStore } from "../../app/jobs/woocommerce-push.server.ts";
import { runTagPush } from "../../app/jobs/tag-push.server.ts";
import { SEGMENTS_META_KEY } from "../../adapters/woocommerce/push-segments.server.ts";
import { createWooClient } from "../../adapters/woocommerce/rest-client.server.ts";
import { startWooSimulator, type WooSimulator } from "../support/woocommerce-simulator.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
let sim: WooSimulator;
let store: Store;

const fastClient = (s: WooSimulator, retries = 3) =>
  createWooClient({ url: s.url, consumerKey: s.consumerKey, consumerSecret: s.consumerSecret, baseDelayMs: 1, maxDelayMs: 5, retries });

beforeAll(async () => {
  services = await startTestServices();
  sim = await startWooSimulator({ seed: 5, customers: 500 });
  store = await ensureWooStore(services, sim.url, "Empório Woo");
  await saveWooCredentials(services, store.id, { consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret });
});
afterAll(async () => {
  await sim?.close();
  await services?.cleanup();
});

describe("WooCommerce backfill", () => {
  it("resumes after dying mid-pagination, then holds exactly the simulated store", async () => {
    const { db } = services;
    const expected = sim.expected();
    expect(expected.orders).toBeGreaterThan(500); // several pages per phase
    // A 500 on the first orders page is retried; page 3 keeps failing past the retry budget: the run dies there.
    sim.failNext(1, { status: 500 }, /\/orders\?.*\bpage=1&/);
    sim.failNext(50, { status: 503 }, /\/orders\?.*\bpage=3&/);
    const dead = await runWooBackfill(services, store.id, { client: fastClient(sim, 2), pagesAtOnce: 2, webhooks: false }).catch((e: unknown) => e);
    expect(dead).toBeInstanceOf(Error);
    const failedRun = await db.syncRun.findFirstOrThrow({ where: { storeId: store.id, kind: "backfill" }, orderBy: { id: "desc" } });
    expect(failedRun.status).toBe("failed");
    expect(failedRun.error).toMatch(/HTTP 50[03]/);
    expect(failedRun.cursor).toMatchObject({ phase: "orders", page: 3 });
    const cursor = failedRun.cursor as { phase: string; page: number };
    expect(sim.requests.filter((r) => r.status === 500)).toHaveLength(1);
    sim.clearFailures(); // the store is healthy again

    const before = sim.requests.length;
    const result = await runWooBackfill(services, store.id, { client: fastClient(sim), pagesAtOnce: 2, webhooks: false });
    expect(result.status).toBe("done");
    expect(result.resumedFrom).toMatchObject({ phase: "orders", page: cursor.page });
    const resumedPages = sim.requests.slice(before).filter((r) => r.path.endsWith("/orders") && r.query.status === "any").map((r) => Number(r.query.page));
    expect(Math.min(...resumedPages)).toBe(cursor.page);
    expect(sim.requests.slice(before).some((r) => r.path.endsWith("/products") || r.path.endsWith("/customers"))).toBe(false);
    const run = await db.syncRun.findFirstOrThrow({ where: { storeId: store.id, kind: "backfill" }, orderBy: { id: "desc" } });
    expect(run).toMatchObject({ id: failedRun.id, status: "done", total: expected.products + expected.registeredCustomers + expected.orders + expected.draftCheckouts });
    expect(run.done).toBeGreaterThanOrEqual(run.total!);

    const storeId = store.id;
    expect(await db.product.count({ where: { storeId } }), "products").toBe(expected.products);
    expect(await db.customer.count({ where: { storeId } }), "customers").toBe(expected.customers);
    expect(await db.customer.count({ where: { storeId, platformId: { startsWith: "guest:" } } }), "guests").toBe(expected.customers - expected.registeredCustomers);
    expect(await db.order.count({ where: { storeId } }), "orders").toBe(expected.orders);
    expect(await db.order.count({ where: { storeId, customerId: null } }), "anonymous orders").toBe(expected.anonymousOrders);
    expect(await db.order.count({ where: { storeId, cancelledAt: { not: null } } }), "cancelled").toBe(expected.cancelledOrders);
    const [money] = await db.$queryRaw<{ revenue: bigint; refunded: bigint }[]>(Prisma.sql`
      SELECT coalesce(sum("totalMinor") FILTER (WHERE "cancelledAt" IS NULL), 0)::bigint AS revenue, coalesce(sum("refundedMinor"), 0)::bigint AS refunded
      FROM "Order" WHERE "storeId" = ${storeId}`);
    expect(money!.revenue, "revenue").toBe(expected.revenueMinor);
    expect(money!.refunded, "refunded").toBe(expected.refundedMinor);
    for (const method of ["card", "boleto", "pix", "other"] as const) {
      expect(await db.order.count({ where: { storeId, paymentMethod: method } }), method).toBe(expected.ordersByPaymentMethod[method]);
    }
    expect(await db.payment.count({ where: { storeId, method: "boleto", status: "pending" } }), "unpaid boletos").toBe(expected.boletosUnpaid);
    expect(await db.payment.count({ where: { storeId, method: "pix", status: "pending" } }), "unpaid Pix").toBe(expected.pixUnpaid);
    expect(await db.checkout.count({ where: { storeId, completedAt: null } }), "open checkouts").toBe(expected.openCheckouts);
    expect(await db.customer.count({ where: { storeId, taxId: { not: null } } })).toBe(expected.customers);
    expect(wooSyncState((await db.store.findUniqueOrThrow({ where: { id: storeId } })))).toMatchObject({ state: "connected" });
  });

  it("pauses on revoked keys with the reason, loses nothing, and resumes once reconnected", async () => {
    const other = await startWooSimulator({ seed: 6, customers: 150 });
    try {
      const s = await ensureWooStore(services, other.url, "Loja revogada");
      await saveWooCredentials(services, s.id, { consumerKey: other.consumerKey, consumerSecret: other.consumerSecret });
      other.revokeKeys();
      const paused = await runWooBackfill(services, s.id, { webhooks: false });
      expect(paused.status).toBe("paused");
      const row = await services.db.store.findUniqueOrThrow({ where: { id: s.id } });
      expect(wooSyncState(row)).toMatchObject({ state: "paused", reason: expect.stringMatching(/Consumer key is invalid/) });
      const keys = other.issueKeys();
      await saveWooCredentials(services, s.id, keys);
      const resumed = await runWooBackfill(services, s.id, { webhooks: false });
      expect(resumed.status).toBe("done");
      expect(resumed.resumedFrom).toMatchObject({ phase: "products", page: 1 });
      expect(await services.db.order.count({ where: { storeId: s.id } })).toBe(other.expected().orders);
    } finally {
      await other.close();
    }
  });

  it("heals a missed webhook with the next reconciliation (modified_after)", async () => {
    const id = sim.orderIds((o) => o.status === "on-hold" && o.payment_method === "pagbank_boleto")[0]!;
    sim.updateOrderSilently(id, { status: "processing", date_paid_gmt: new Date().toISOString().slice(0, 19) });
    const result = await reconcileWooStore(services, store.id, { client: fastClient(sim) });
    expect(result?.changed.orders).toBe(1);
    const order = await services.db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(id) } }, include: { payments: true } });
    expect(order.financialStatus).toBe("paid");
    expect(order.payments[0]?.status).toBe("paid");
    const again = await reconcileWooStore(services, store.id, { client: fastClient(sim) });
    expect(again?.since.getTime()).toBeLessThan(result!.until.getTime());
  });
});

describe("segment push-back", () => {
  it("writes only our meta key, only where it differs, in batches of at most 100", async () => {
    const { db } = services;
    const registered = await db.customer.findMany({ where: { storeId: store.id, platformId: { not: { startsWith: "guest:" } } }, orderBy: { id: "asc" } });
    const guest = await db.customer.findFirstOrThrow({ where: { storeId: store.id, platformId: { startsWith: "guest:" } } });
    expect(registered.length).toBeGreaterThan(100);
    const tags = new Map<number, string[]>(registered.map((c, i) => [c.id, i % 2 ? ["vip", "recorrente"] : ["campeões"]]));
    tags.set(guest.id, ["vip"]);
    const first = await pushSegmentsToWooStore(services, store.id, tags, { client: fastClient(sim) });
    expect(first).toMatchObject({ updated: registered.length, unchanged: 0, failed: [], missing: [], guests: 1 });
    expect(sim.batchCalls.every((b) => (b.update as unknown[]).length <= 100)).toBe(true);
    const woo = sim.customer(Number(registered[1]!.platformId));
    const meta = woo.meta_data as { key: string; value: unknown }[];
    expect(meta.find((m) => m.key === SEGMENTS_META_KEY)?.value).toBe("recorrente, vip");
    expect(meta.find((m) => m.key === "mailchimp_woocommerce_is_subscribed")).toBeDefined();

    const calls = sim.batchCalls.length;
    tags.set(registered[0]!.id, []);
    const second = await pushSegmentsToWooStore(services, store.id, tags, { client: fastClient(sim) });
    expect(second).toMatchObject({ updated: 1, unchanged: registered.length - 1 });
    expect(sim.batchCalls.length - calls).toBe(1);
    expect((sim.batchCalls.at(-1)!.update as { id: number; meta_data: unknown }[])).toEqual([{ id: Number(registered[0]!.platformId), meta_data: [{ key: SEGMENTS_META_KEY, value: "" }] }]);
  });

  it("is what a segment tag push does on a WooCommerce store: the prefixed list in our meta key, mirrored locally", async () => {
    const { db } = services;
    const registered = await db.customer.findMany({ where: { storeId: store.id, platformId: { not: { startsWith: "guest:" } } }, orderBy: { id: "asc" }, take: 5 });
    const guest = await db.customer.findFirstOrThrow({ where: { storeId: store.id, platformId: { startsWith: "guest:" } } });
    const segment = await db.segment.create({ data: { storeId: store.id, name: "Fiéis", pushTags: true, filter: {} } });
    await db.segmentMember.createMany({ data: [...registered, guest].map((c) => ({ storeId: store.id, segmentId: segment.id, customerId: c.id })) });

    const report = await runTagPush(services, store.id, { wooClient: fastClient(sim) });
    expect(report).toMatchObject({ pushed: 5, unchanged: 0, failed: 1, mode: "direct" });
    expect(report.failures).toEqual([{ customerId: guest.id, platformId: guest.platformId, reason: "guest customer: no account on the store" }]);
    const metaOf = (platformId: string) => (sim.customer(Number(platformId)).meta_data as { key: string; value: unknown }[]).find((m) => m.key === SEGMENTS_META_KEY)?.value;
    expect(registered.map((c) => metaOf(c.platformId))).toEqual(registered.map(() => "crm:Fiéis"));
    const mirrored = await db.customer.findMany({ where: { storeId: store.id, id: { in: registered.map((c) => c.id) } } });
    expect(mirrored.map((c) => c.tags)).toEqual(registered.map(() => ["crm:Fiéis"]));
    expect(await runTagPush(services, store.id, { wooClient: fastClient(sim) })).toMatchObject({ pushed: 0, unchanged: 5, failed: 1 });

    await db.segmentMember.delete({ where: { storeId_segmentId_customerId: { storeId: store.id, segmentId: segment.id, customerId: registered[0]!.id } } });
    expect(await runTagPush(services, store.id, { wooClient: fastClient(sim) })).toMatchObject({ pushed: 1, unchanged: 4 });
    expect(metaOf(registered[0]!.platformId)).toBe("");
    expect((await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: store.id, id: registered[0]!.id } } })).tags).toEqual([]);
  });
});

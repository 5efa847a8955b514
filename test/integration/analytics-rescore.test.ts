// The whole rescoring of a store: after a Shopify backfill (Shopify's own RFM group read during
// sync), on CDNOW loaded as orders (the fitted BG/NBD must match the paper through the database
// path too), and on the awkward stores: empty, one customer, a São Paulo time zone, cancellations,
// refunds and zero-value orders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql } from "../../adapters/shopify/admin-graphql.server.ts";
import { runShopifyBackfill } from "../../app/jobs/shopify-backfill.server.ts";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { rescoreStore, latestRescore } from "../../app/core/analytics/rescore-store.server.ts";
import { rescorePredictions } from "../../app/core/analytics/predict.server.ts";
import { rescoreRfm } from "../../app/core/analytics/rfm.server.ts";
import { SHOPIFY_GROUP_EQUIVALENTS, compareWithShopify, shopifyDisagreements } from "../../app/core/analytics/shopify-rfm.server.ts";
import { assignCluster, type ClusterModel } from "../../app/core/analytics/clusters.ts";
import { checkoutConversion, cohortRetention, orderMetrics, recoveredRevenue, spendHistogram } from "../../app/core/analytics/metrics.server.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { customer, order } from "../support/analytics-data.ts";
import { CDNOW_CALIBRATION_END, CDNOW_FILE, loadCdnow } from "../support/cdnow.ts";
import type { Db } from "../../app/db/client.server.ts";

const SHOP = "rescore-test.myshopify.com";
let services: TestServices;
let sim: AdminSimulator;
let db: Db;

beforeAll(async () => {
  services = await startTestServices();
  db = services.db;
  sim = await startAdminSimulator({ store: { seed: 5, customers: 300, shopDomain: SHOP }, accessToken: "shpat_rescore", bulkPollsUntilComplete: 1 });
});
afterAll(async () => {
  await sim?.close();
  await services?.cleanup();
});

const newStore = async (domain: string, timezone = "America/Sao_Paulo") => (await db.store.create({ data: { platform: "shopify", domain, name: domain, timezone } })).id;

describe("rescoring after a Shopify backfill", () => {
  it("scores, predicts and clusters every buyer, and compares with Shopify's own groups", async () => {
    const storeId = await newStore(SHOP);
    const client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_rescore", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
    await runShopifyBackfill(services, storeId, { client, batchSize: 200, pollIntervalMs: 10 });
    const customers = await db.customer.count({ where: { storeId } });
    expect(await db.customerStats.count({ where: { storeId, shopifyRfmGroup: { not: null } } })).toBe(customers);

    const result = await rescoreStore(db, storeId);
    const buyers = await db.customerStats.findMany({ where: { storeId, ordersCount: { gt: 0 } } });
    expect(result.rfm.customers).toBe(buyers.length);
    expect(result.predictions.bgnbd).not.toBeNull();
    expect(result.predictions.customers).toBe(buyers.length);
    for (const b of buyers) {
      expect(b.rfmSegment).not.toBeNull();
      expect(b.pAlive).toBeGreaterThan(0);
      expect(b.pAlive).toBeLessThanOrEqual(1);
      expect(b.churnRisk).toBeGreaterThanOrEqual(1 - b.pAlive!);
      expect(b.predictedClvMinor).not.toBeNull();
      expect(b.predictedNextOrderAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(b.cluster).not.toBeNull();
    }
    // SQL's cluster assignment = clusters.ts's, for every buyer.
    const model = result.clusters.model as ClusterModel;
    const today = new Date();
    const dayOf = (d: Date) => new Date(d.toLocaleString("en-US", { timeZone: "America/Sao_Paulo" })).setHours(0, 0, 0, 0) / 86_400_000;
    for (const b of buyers) {
      const recencyDays = Math.round(dayOf(today) - dayOf(b.lastOrderAt!));
      expect(b.cluster, `customer ${b.customerId}`).toBe(assignCluster(model, { recencyDays, orders: b.ordersCount, revenue: Number(b.revenueMinor), avgOrder: Number(b.avgOrderMinor) }));
    }
    // The run keeps its models; the sync run says done.
    const latest = await latestRescore(db, storeId);
    expect(latest!.params).toMatchObject({ tiePolicy: "rank", models: { bgnbd: { r: result.predictions.bgnbd!.r } } });
    expect(await db.syncRun.findFirst({ where: { storeId, kind: "rescore" } })).toMatchObject({ status: "done", done: 3 });

    // Ours beside Shopify's: the comparison covers every scored customer, disagreements match the map.
    const comparison = await compareWithShopify(db, storeId);
    expect(comparison.reduce((s, c) => s + c.customers, 0)).toBe(buyers.length);
    for (const c of comparison) expect(c.disagree).toBe(!(SHOPIFY_GROUP_EQUIVALENTS[c.shopify!] ?? []).includes(c.ours!));
    const disagreements = await shopifyDisagreements(db, storeId, { limit: 10_000 });
    expect(disagreements.length).toBe(comparison.filter((c) => c.disagree).reduce((s, c) => s + c.customers, 0));
  });
});

describe.skipIf(!CDNOW_FILE)("BG/NBD through the database: CDNOW as orders", () => {
  it("fits the published parameters from the kept stats (store-local days, 39-week calibration)", async () => {
    const storeId = await newStore("cdnow.example", "UTC");
    const changes = loadCdnow().flatMap((c) =>
      c.purchases
        .filter((p) => p.day <= CDNOW_CALIBRATION_END)
        .map((p, i) => order({ id: `${c.id}-${i}`, customer: c.id, placedAt: new Date(p.day * 86_400_000 + 12 * 3_600_000), totalMinor: BigInt(Math.round(p.dollars * 100)) })),
    );
    for (let i = 0; i < changes.length; i += 1000) await applyChanges(db, storeId, changes.slice(i, i + 1000));
    const result = await rescorePredictions(db, storeId, new Date(CDNOW_CALIBRATION_END * 86_400_000 + 18 * 3_600_000));
    const p = result.bgnbd!;
    expect([p.r, p.alpha, p.a, p.b].map((v) => v.toFixed(2))).toEqual(["0.24", "4.41", "0.79", "2.43"]);
    expect(result.customers).toBe(2357);
  });
});

describe("awkward stores", () => {
  it("an empty store rescoring explains what it skipped and its metrics are zero", async () => {
    const storeId = await newStore("empty.example");
    const result = await rescoreStore(db, storeId);
    expect(result.rfm.customers).toBe(0);
    expect(result.predictions.bgnbd).toBeNull();
    expect(result.predictions.skipped).toMatch(/at least 2 customers/);
    expect(result.clusters.skipped).toMatch(/distinct customers/);
    expect(await orderMetrics(db, storeId)).toMatchObject({ orders: 0, averageTicketMinor: 0n, purchaseFrequency: 0, repeatPurchaseRate: 0 });
    expect(await spendHistogram(db, storeId)).toEqual([]);
    expect(await cohortRetention(db, storeId)).toEqual([]);
    expect(await checkoutConversion(db, storeId)).toEqual({ started: 0, completed: 0, rate: null });
  });

  it("a one-customer store scores that customer (relative scores: all 1) without predictions", async () => {
    const storeId = await newStore("one.example");
    await applyChanges(db, storeId, [order({ id: "1", customer: "ana", placedAt: "2026-03-01T12:00:00-03:00", totalMinor: 5000n })]);
    const result = await rescoreStore(db, storeId, new Date("2026-03-02T12:00:00-03:00"));
    expect(result.rfm.customers).toBe(1);
    const s = await db.customerStats.findFirstOrThrow({ where: { storeId } });
    expect([s.rScore, s.fScore, s.mScore]).toEqual([1, 1, 1]);
    expect(s.rfmSegment).toBe("lost");
    expect(s.pAlive).toBeNull();
    expect(result.predictions.skipped).toMatch(/BG\/NBD not fitted/);
  });

  it("São Paulo: days are local, so 23:30 and 08:00 of one local day are one purchase day and recency counts local midnights", async () => {
    const storeId = await newStore("sp.example");
    await applyChanges(db, storeId, [
      // 2026-03-10 23:30 in São Paulo is 2026-03-11 02:30 UTC.
      order({ id: "a1", customer: "ana", placedAt: "2026-03-10T23:30:00-03:00", totalMinor: 1000n, channel: "web", lines: [{ productId: "cafe", category: "Café", quantity: 2 }] }),
      order({ id: "a2", customer: "ana", placedAt: "2026-03-10T08:00:00-03:00", totalMinor: 3000n, channel: "pos", lines: [{ productId: "xicara", category: "Louça", quantity: 1 }, { productId: "cafe", category: "Café", quantity: 1 }] }),
      order({ id: "b1", customer: "bia", placedAt: "2026-03-11T00:30:00-03:00", totalMinor: 1000n }),
    ]);
    const ana = await db.customerStats.findFirstOrThrow({ where: { storeId, customer: { platformId: "ana" } } });
    expect(ana.ordersCount).toBe(2);
    expect(ana.purchaseDays).toBe(1);
    expect(ana.favouriteProducts).toEqual(["cafe", "xicara"]);
    expect(ana.favouriteCategories).toEqual(["Café", "Louça"]);
    expect(ana.channelMix).toEqual({ pos: 1, web: 1 });
    // At 2026-03-11 10:00 local, ana's last purchase day is yesterday and bia's today, though ana's
    // last order is 02:30 UTC on the 11th: by UTC dates they would tie.
    await rescoreRfm(db, storeId, {}, new Date("2026-03-11T10:00:00-03:00"));
    const scores = await db.customerStats.findMany({ where: { storeId }, include: { customer: { select: { platformId: true } } } });
    const r = Object.fromEntries(scores.map((s) => [s.customer.platformId, s.rScore]));
    expect(r).toEqual({ ana: 1, bia: 3 }); // bia: 1 + floor(5 × 1 strictly worse / 2)
    const cohorts = await cohortRetention(db, storeId, new Date("2026-03-11T10:00:00-03:00"));
    expect(cohorts).toEqual([{ month: "2026-03-01", customers: 2, retained: [2] }]);
  });

  it("cancellations, refunds, test and zero-value orders update the kept stats as they happen", async () => {
    const storeId = await newStore("messy.example");
    const stats = async () => db.customerStats.findFirstOrThrow({ where: { storeId, customer: { platformId: "caio" } } });
    await applyChanges(db, storeId, [
      order({ id: "1", customer: "caio", placedAt: "2026-01-05T12:00:00Z", totalMinor: 10_000n }),
      order({ id: "2", customer: "caio", placedAt: "2026-02-05T12:00:00Z", totalMinor: 0n }), // 100 % discount: an order, no revenue
      order({ id: "3", customer: "caio", placedAt: "2026-02-06T12:00:00Z", totalMinor: 7_000n, test: true }),
      order({ id: "4", customer: "caio", placedAt: "2026-02-07T12:00:00Z", totalMinor: 9_000n, status: "pending" }), // unpaid boleto
    ]);
    expect(await stats()).toMatchObject({ ordersCount: 2, revenueMinor: 10_000n, avgOrderMinor: 5_000n, purchaseDays: 2 });
    await applyChanges(db, storeId, [order({ id: "1", customer: "caio", placedAt: "2026-01-05T12:00:00Z", totalMinor: 10_000n, refundedMinor: 2_500n, status: "partially_refunded", version: 1 })]);
    expect(await stats()).toMatchObject({ ordersCount: 2, revenueMinor: 7_500n, refundedMinor: 2_500n });
    await applyChanges(db, storeId, [order({ id: "4", customer: "caio", placedAt: "2026-02-07T12:00:00Z", totalMinor: 9_000n, status: "paid", version: 1 })]);
    expect(await stats()).toMatchObject({ ordersCount: 3, revenueMinor: 16_500n });
    await applyChanges(db, storeId, [order({ id: "4", customer: "caio", placedAt: "2026-02-07T12:00:00Z", totalMinor: 9_000n, status: "paid", cancelled: true, version: 2 })]);
    expect(await stats()).toMatchObject({ ordersCount: 2, revenueMinor: 7_500n, lastOrderAt: new Date("2026-02-05T12:00:00Z") });
    await applyChanges(db, storeId, [{ kind: "order.delete", platformId: "2" }]);
    expect(await stats()).toMatchObject({ ordersCount: 1, revenueMinor: 7_500n, avgDaysBetweenOrders: null });
  });

  it("checkout conversion and recovered revenue follow their definitions", async () => {
    const storeId = await newStore("funnel.example");
    const checkout = (id: string, completed: boolean) => ({
      kind: "checkout.upsert" as const,
      checkout: { platformId: id, customer: customer("dora"), email: null, phone: null, recoveryUrl: null, currency: "BRL", totalMinor: 4_000n, lines: [],
        startedAt: new Date("2026-04-01T12:00:00Z"), platformUpdatedAt: new Date("2026-04-01T12:00:00Z"), completedAt: completed ? new Date("2026-04-01T12:10:00Z") : null, completedOrderId: null },
    });
    await applyChanges(db, storeId, [checkout("c1", true), checkout("c2", false), checkout("c3", false)]);
    expect(await checkoutConversion(db, storeId)).toEqual({ started: 3, completed: 1, rate: 1 / 3 });
    expect(await checkoutConversion(db, storeId, { from: new Date("2026-05-01T00:00:00Z") })).toEqual({ started: 0, completed: 0, rate: null });

    const dora = await db.customer.findFirstOrThrow({ where: { storeId, platformId: "dora" } });
    const flow = await db.flow.create({ data: { storeId, name: "Carrinho", template: "abandoned_checkout", trigger: {} } });
    await db.message.create({ data: { storeId, customerId: dora.id, flowId: flow.id, idempotencyKey: "m1", to: "dora@example.com", status: "sent", sentAt: new Date("2026-04-02T12:00:00Z") } });
    await applyChanges(db, storeId, [
      order({ id: "before", customer: "dora", placedAt: "2026-04-02T11:00:00Z", totalMinor: 1_000n }), // before the message
      order({ id: "won", customer: "dora", placedAt: "2026-04-05T12:00:00Z", totalMinor: 4_000n, refundedMinor: 500n, status: "partially_refunded" }),
      order({ id: "late", customer: "dora", placedAt: "2026-04-12T12:00:00Z", totalMinor: 2_000n }), // after 7 days
    ]);
    expect(await recoveredRevenue(db, storeId)).toEqual({ orders: 1, revenueMinor: 3_500n });
  });
});

// The dashboard's kept aggregates stay exactly right. Orders, checkouts and customers go through
// the real writers (applyChanges: the webhook/backfill path; eraseCustomer) and through plain SQL
// (a delete, a bulk update): after each, the kept daily rows equal the from-scratch computation,
// and the KPI cards (kept daily totals + snapshot) equal the previous from-scratch KPIs, for every
// period, on both the live path and the snapshot path. Store B's writes never move store A's
// figures. A full recompute gives the same rows; a time-zone change rebuilds every day.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { eraseCustomer } from "../../app/core/privacy/erase.server.ts";
import { dashboardCohorts, dashboardCohortsFromScratch, dashboardKpisFromScratch, loadDashboard } from "../../app/core/dashboard/dashboard.server.ts";
import { dailyRowsFromScratch, dailyTotals, keptDailyRows, recomputeDailyStats, refreshDailyStats, runningDailyRefresh } from "../../app/core/dashboard/daily.server.ts";
import { refreshSnapshot } from "../../app/core/dashboard/snapshot.server.ts";
import { refreshAllDailyStats } from "../../app/jobs/dashboard-refresh.server.ts";
import { storeOverview, storeOverviewFromScratch } from "../../app/core/metrics/overview.server.ts";
import { DASHBOARD_PERIODS } from "../../app/core/dashboard/periods.ts";
import { rescoreRfm } from "../../app/core/analytics/rfm.server.ts";
import type { NormalizedChange } from "../../app/core/types.ts";
import { customer, order } from "../support/analytics-data.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
let storeA: { id: number; currency: string };
let storeB: { id: number; currency: string };
const DAY = 86_400_000;
const now = new Date();
const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY - hours * 3_600_000);

function checkout(id: string, who: string, startedAt: Date, completed: boolean): NormalizedChange {
  return {
    kind: "checkout.upsert",
    checkout: {
      platformId: id,
      customer: customer(who),
      email: `${who}@example.com`,
      phone: null,
      recoveryUrl: null,
      currency: "BRL",
      totalMinor: 5000n,
      lines: [],
      startedAt,
      platformUpdatedAt: new Date(startedAt.getTime() + (completed ? 60_000 : 0)),
      completedAt: completed ? new Date(startedAt.getTime() + 60_000) : null,
      completedOrderId: null,
    },
  };
}

/** Kept = from scratch, for the daily rows, the all-time totals and every period's KPI cards. */
async function expectExact(store: { id: number; currency: string }) {
  const { db } = services;
  await refreshDailyStats(db, store.id);
  const kept = await keptDailyRows(db, store.id);
  expect(kept).toEqual(await dailyRowsFromScratch(db, store.id));
  expect(await storeOverview(db, store.id)).toEqual(await storeOverviewFromScratch(db, store.id));
  for (const days of DASHBOARD_PERIODS) {
    const t = await dailyTotals(db, store.id, days, now);
    const scratch = await dashboardKpisFromScratch(db, store.id, days, t.today, now);
    // Live path (a small store) and snapshot path (as on a big one, snapshot just refreshed).
    const live = await loadDashboard(db, store, days, now);
    expect(live.scannedAt).toBeNull();
    expect(live.kpis).toEqual(scratch);
    await refreshSnapshot(db, store, t.today, now);
    const kept = await loadDashboard(db, store, days, now, { liveLimit: 0 });
    expect(kept.scannedAt).toBe(now.toISOString());
    expect(kept.kpis.map(({ updatedAt: _u, ...k }) => k)).toEqual(scratch);
    expect(kept.kpis.filter((k) => k.updatedAt).map((k) => k.id)).toEqual(["activeCustomers", "purchaseFrequency", "repeatRate", "ltv"]);
  }
  const cohorts = await dashboardCohorts(db, store, now, { liveLimit: 0 });
  expect(cohorts.cohorts).toEqual(await dashboardCohortsFromScratch(db, store.id, now));
  return kept;
}

beforeAll(async () => {
  services = await startTestServices();
  const { db } = services;
  storeA = await db.store.create({ data: { platform: "shopify", domain: "agg-a.myshopify.com", name: "A", currency: "BRL", timezone: "America/Sao_Paulo" } });
  storeB = await db.store.create({ data: { platform: "shopify", domain: "agg-b.myshopify.com", name: "B", currency: "BRL", timezone: "Asia/Tokyo" } });
});
afterAll(async () => {
  await services?.stop();
});

describe("kept daily totals and dashboard figures", () => {
  it("equal the from-scratch computation after every kind of write, per store", async () => {
    const { db } = services;
    // Orders across both periods of every length, some near local midnight, guests, checkouts.
    const changes: NormalizedChange[] = [];
    for (let i = 0; i < 60; i++) {
      changes.push(order({ id: `o${i}`, customer: `c${i % 17}`, placedAt: ago((i * 13) % 700, (i % 24) + 0.5), totalMinor: BigInt(1000 + i * 37) }));
    }
    changes.push(order({ id: "guest", customer: null, placedAt: ago(3), totalMinor: 777n }));
    changes.push(order({ id: "pending", customer: "c1", placedAt: ago(2), totalMinor: 999n, status: "pending" }));
    changes.push(order({ id: "testorder", customer: "c2", placedAt: ago(2), totalMinor: 999n, test: true }));
    for (let i = 0; i < 12; i++) changes.push(checkout(`k${i}`, `c${i}`, ago(i * 9, 5), i % 3 === 0));
    await applyChanges(db, storeA.id, changes);
    await applyChanges(db, storeB.id, [order({ id: "b1", customer: "x", placedAt: ago(1), totalMinor: 50_000n }), checkout("kb", "x", ago(1), true)]);
    await rescoreRfm(db, storeA.id, undefined, now);
    const first = await expectExact(storeA);
    expect(first.length).toBeGreaterThan(30);
    await expectExact(storeB);

    // Store B's writes do not move store A's figures.
    const aBefore = await dailyTotals(db, storeA.id, 365, now);
    await applyChanges(db, storeB.id, [order({ id: "b2", customer: "y", placedAt: ago(0, 1), totalMinor: 90_000n })]);
    await refreshDailyStats(db, storeB.id);
    expect(await dailyTotals(db, storeA.id, 365, now)).toEqual(aBefore);
    expect((await dailyTotals(db, storeB.id, 365, now)).allTime).toEqual({ orders: 2, revenueMinor: 140_000n });

    // Updates (new amount), a refund, a cancellation, a move to another day, a pending order paid.
    await applyChanges(db, storeA.id, [
      order({ id: "o1", customer: "c1", placedAt: ago(13, 1), totalMinor: 4242n, version: 1 }),
      order({ id: "o2", customer: "c2", placedAt: ago(26, 2), totalMinor: 1074n, refundedMinor: 500n, status: "partially_refunded", version: 1 }),
      order({ id: "o3", customer: "c3", placedAt: ago(39, 3), totalMinor: 1111n, cancelled: true, version: 1 }),
      order({ id: "o4", customer: "c4", placedAt: ago(100, 4), totalMinor: 1148n, version: 1 }),
      order({ id: "pending", customer: "c1", placedAt: ago(2), totalMinor: 999n, status: "paid", version: 1 }),
      checkout("k1", "c1", ago(9, 5), true),
    ]);
    await expectExact(storeA);

    // Deletions: the platform's order delete, a row deleted outright, a bulk update in SQL.
    await applyChanges(db, storeA.id, [{ kind: "order.delete", platformId: "o5" }]);
    await db.$executeRaw`DELETE FROM "OrderLine" WHERE "storeId" = ${storeA.id} AND "orderId" IN (SELECT id FROM "Order" WHERE "storeId" = ${storeA.id} AND "platformId" = 'o6')`;
    await db.$executeRaw`DELETE FROM "Payment" WHERE "storeId" = ${storeA.id} AND "orderId" IN (SELECT id FROM "Order" WHERE "storeId" = ${storeA.id} AND "platformId" = 'o6')`;
    await db.$executeRaw`DELETE FROM "Order" WHERE "storeId" = ${storeA.id} AND "platformId" = 'o6'`;
    await db.$executeRaw`UPDATE "Order" SET "refundedMinor" = "totalMinor" / 2 WHERE "storeId" = ${storeA.id} AND "platformId" LIKE 'o1%'`;
    await expectExact(storeA);

    // Erasure: the customer stops counting; their orders keep the store's revenue.
    const c7 = await db.customer.findFirstOrThrow({ where: { storeId: storeA.id, platformId: "c7" } });
    const before = (await storeOverview(db, storeA.id)).customers;
    expect(await eraseCustomer(services, storeA.id, c7.id, "test")).not.toBeNull();
    await expectExact(storeA);
    expect((await storeOverview(db, storeA.id)).customers).toBe(before - 1);

    // A full recompute gives the same rows as the incremental refreshes.
    const incremental = await keptDailyRows(db, storeA.id);
    await recomputeDailyStats(db, storeA.id);
    expect(await keptDailyRows(db, storeA.id)).toEqual(incremental);

    // The store moves time zone: every day boundary moves, every day is rebuilt.
    await db.store.update({ where: { id: storeA.id }, data: { timezone: "Pacific/Auckland" } });
    const moved = await expectExact(storeA);
    expect(moved).not.toEqual(incremental);
    await expectExact(storeB);
  });

  it("serves a big store's scan figures from the snapshot and refreshes it in the background when out of date", async () => {
    const { db } = services;
    await refreshDailyStats(db, storeB.id);
    const today = (await dailyTotals(db, storeB.id, 30, now)).today;
    const old = new Date(now.getTime() - 2 * 3_600_000);
    await refreshSnapshot(db, storeB, today, old);
    const buyersOf = (d: Awaited<ReturnType<typeof loadDashboard>>) => d.kpis.find((k) => k.id === "activeCustomers")!.value;
    await applyChanges(db, storeB.id, [order({ id: "b3", customer: "z", placedAt: ago(0, 1.5), totalMinor: 1000n })]);
    // Two hours old: shown as it is (with its time: buyers up to then, x only), a refresh starts.
    const stale = await loadDashboard(db, storeB, 30, now, { liveLimit: 0 });
    expect(stale.scannedAt).toBe(old.toISOString());
    expect(buyersOf(stale)).toBe(1);
    // The kept daily totals are never stale: the new order is in the orders and revenue already.
    expect(stale.allTime.orders).toBe(3);
    await refreshSnapshot(db, storeB, today, now); // joins the running refresh, or runs one
    const fresh = await loadDashboard(db, storeB, 30, now, { liveLimit: 0 });
    expect(fresh.scannedAt).not.toBe(old.toISOString());
    expect(buyersOf(fresh)).toBe(3); // x, y and z
  });

  it("leaves nothing behind when a store is deleted", async () => {
    const { db } = services;
    const c = await db.store.create({ data: { platform: "shopify", domain: "agg-c.myshopify.com", name: "C", currency: "BRL" } });
    await applyChanges(db, c.id, [order({ id: "c1", customer: "w", placedAt: ago(1), totalMinor: 100n })]);
    await refreshDailyStats(db, c.id);
    await applyChanges(db, c.id, [order({ id: "c2", customer: "w", placedAt: ago(2), totalMinor: 100n })]);
    expect(await db.dashboardDirtyDay.count({ where: { storeId: c.id } })).toBeGreaterThan(0);
    await db.$executeRaw`DELETE FROM "Store" WHERE id = ${c.id}`;
    expect(await db.dashboardDirtyDay.count({ where: { storeId: c.id } })).toBe(0);
    expect(await db.storeDailyStats.count({ where: { storeId: c.id } })).toBe(0);
  });

  it("after an import marked many days, answers at once and recounts them in the background", async () => {
    const { db } = services;
    const d = await db.store.create({ data: { platform: "shopify", domain: "agg-d.myshopify.com", name: "D", currency: "BRL" } });
    await applyChanges(db, d.id, Array.from({ length: 40 }, (_, i) => order({ id: `d${i}`, customer: `p${i % 7}`, placedAt: ago(i, 0.5), totalMinor: BigInt(500 + i) })));
    const first = await loadDashboard(db, d, 30, now, { inlineDays: 5 });
    expect(first.pendingDays).toBeGreaterThanOrEqual(40);
    await runningDailyRefresh(db, d.id);
    const later = await loadDashboard(db, d, 30, now, { inlineDays: 5 });
    expect(later.pendingDays).toBe(0);
    const today = (await dailyTotals(db, d.id, 30, now)).today;
    expect(later.kpis).toEqual(await dashboardKpisFromScratch(db, d.id, 30, today, now));
    expect(await keptDailyRows(db, d.id)).toEqual(await dailyRowsFromScratch(db, d.id));
  });

  it("the hourly job recounts every store's marked days, so unopened dashboards do not pile up marks", async () => {
    const { db } = services;
    const e = await db.store.create({ data: { platform: "shopify", domain: "agg-e.myshopify.com", name: "E", currency: "BRL", timezone: "America/Sao_Paulo" } });
    await applyChanges(db, e.id, [order({ id: "e1", customer: "q", placedAt: ago(1), totalMinor: 300n }), order({ id: "e2", customer: "r", placedAt: ago(5), totalMinor: 700n })]);
    await applyChanges(db, storeB.id, [order({ id: "b4", customer: "y", placedAt: ago(3), totalMinor: 1_000n })]);
    const marked = await db.$queryRaw<{ storeId: number }[]>`SELECT DISTINCT "storeId" FROM "DashboardDirtyDay" ORDER BY 1`;
    expect(marked.map((m) => m.storeId)).toEqual(expect.arrayContaining([e.id, storeB.id]));
    const result = await refreshAllDailyStats(services);
    expect(result.stores).toBe(marked.length);
    expect(result.days).toBeGreaterThanOrEqual(3);
    expect(await db.dashboardDirtyDay.count()).toBe(0);
    for (const id of [e.id, storeB.id]) expect(await keptDailyRows(db, id)).toEqual(await dailyRowsFromScratch(db, id));
    expect((await dailyTotals(db, e.id, 30, now)).allTime).toEqual({ orders: 2, revenueMinor: 1_000n });
    // Nothing marked: nothing to do.
    expect(await refreshAllDailyStats(services)).toEqual({ stores: 0, days: 0 });
  });
});

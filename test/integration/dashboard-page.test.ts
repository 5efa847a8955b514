// The dashboard's loader through the real app on a seeded store: KPIs equal the metric functions
// for the chosen period and the one before, the RFM grid adds up to the scored customers, segment
// sizes and transitions come from the rescoring runs, the recent cohorts equal the full cohort
// computation's last months, a bad period is a 400 with words, and store B's numbers never mix in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { seedCustomers, type SeededCustomer } from "./customers-seed.ts";
import { cohortRetention, orderMetrics, recentCohortRetention } from "../../app/core/analytics/metrics.server.ts";
import { rescoreRfm } from "../../app/core/analytics/rfm.server.ts";

let app: TestApp;
let cookie: string;
let storeA: number;
let seeded: SeededCustomer[];
const DATA = "routes%2Fapp._index";

type Dash = {
  days: number;
  periodError: string | null;
  kpis: { id: string; value: number | string | null; delta: { direction: string; percent: number | null } | null }[];
  recoveredRevenueMinor: string | null;
  grid: { r: number; f: number; segment: string; customers: number; revenueMinor: string }[];
  histogram: { fromMinor: number; toMinor: number | null; customers: number }[];
  history: { runs: { runId: number; sizes: Record<string, number> }[]; transitions: { from: string | null; to: string | null; customers: number }[] };
  cohorts?: { month: string; customers: number; retained: number[] }[];
  overview: { customers: number };
};

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const { db } = app.services;
  storeA = (await db.store.create({ data: { platform: "shopify", domain: "dash-a.myshopify.com", name: "Dash A", currency: "BRL" } })).id;
  const storeB = (await db.store.create({ data: { platform: "shopify", domain: "dash-b.myshopify.com", name: "Dash B", currency: "BRL" } })).id;
  seeded = await seedCustomers(db, storeA, 40, { prefix: "a" });
  await rescoreRfm(db, storeA); // a second run: transitions between two runs
  await seedCustomers(db, storeB, 15, { prefix: "b" });
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await app?.close();
});

const load = async (search = "") => {
  const res = await fetch(`${app.url}/app?${search}${search ? "&" : ""}_data=${DATA}`, { headers: { Cookie: cookie } });
  return { status: res.status, body: (await res.json()) as Dash };
};

describe("dashboard", () => {
  it("shows the period's KPIs against the previous period, from the metric definitions", async () => {
    for (const days of [30, 90, 365]) {
      const { status, body } = await load(`period=${days}`);
      expect(status).toBe(200);
      expect(body.days).toBe(days);
      const now = Date.now();
      const cur = await orderMetrics(app.services.db, storeA, { from: new Date(now - days * 86_400_000), to: new Date(now) });
      const kpi = (id: string) => body.kpis.find((k) => k.id === id)!;
      expect(kpi("customers").value).toBe(seeded.length);
      expect(kpi("activeCustomers").value).toBe(cur.buyers);
      expect(kpi("averageTicket").value).toBe(cur.averageTicketMinor.toString());
      expect(kpi("repeatRate").value).toBeCloseTo(cur.repeatPurchaseRate, 10);
      expect(kpi("purchaseFrequency").value).toBeCloseTo(cur.purchaseFrequency, 10);
      expect(kpi("checkoutConversion").value).toBeNull(); // no checkouts in this store
      expect(body.recoveredRevenueMinor).toBeNull();
      expect(body.overview.customers).toBe(seeded.length);
    }
    // Seeded orders: customer k's j-th order is k+1 hours + 40·j days old. Buyers of the last 30
    // days: everyone with an order; of the 30 before: those with a second order (40 days old).
    const { body } = await load("period=30");
    const active = body.kpis.find((k) => k.id === "activeCustomers")!;
    const buyers = seeded.filter((c) => c.orders > 0).length;
    const before = seeded.filter((c) => c.orders > 1).length;
    expect(active.value).toBe(buyers);
    expect(active.delta).toEqual({ direction: "up", percent: Math.round(((buyers - before) / before) * 1000) / 10 });
  });

  it("adds the RFM grid up to the scored customers and reads segment history and transitions from the runs", async () => {
    const { db } = app.services;
    const { body } = await load();
    const scored = await db.customerStats.count({ where: { storeId: storeA, rScore: { not: null } } });
    expect(body.grid.reduce((s, c) => s + c.customers, 0)).toBe(scored);
    const revenue = await db.customerStats.aggregate({ where: { storeId: storeA, rScore: { not: null } }, _sum: { revenueMinor: true } });
    expect(body.grid.reduce((s, c) => s + BigInt(c.revenueMinor), 0n)).toBe(revenue._sum.revenueMinor);
    expect(body.history.runs).toHaveLength(2);
    // Snapshots keep only each run's changes: the first run wrote everyone (its snapshot is the
    // whole store then), and the latest run's sizes are the segments customers are in now.
    const [first, latest] = [...body.history.runs].sort((a, b) => a.runId - b.runId);
    const snap = await db.rfmSnapshot.groupBy({ by: ["segment"], where: { storeId: storeA, runId: first!.runId }, _count: { _all: true } });
    expect(first!.sizes).toEqual(Object.fromEntries(snap.map((s) => [s.segment, s._count._all])));
    const now = await db.customerStats.groupBy({ by: ["rfmSegment"], where: { storeId: storeA, rfmSegment: { not: null } }, _count: { _all: true } });
    expect(latest!.sizes).toEqual(Object.fromEntries(now.map((s) => [s.rfmSegment!, s._count._all])));
    expect(await db.rfmSnapshot.count({ where: { storeId: storeA, runId: latest!.runId } })).toBe(0); // nothing moved
    // Nothing changed between the two runs: everyone stays where they were.
    expect(body.history.transitions.every((t) => t.from === t.to)).toBe(true);
    expect(body.history.transitions.reduce((s, t) => s + t.customers, 0)).toBe(scored);
    expect(body.histogram.reduce((s, b) => s + b.customers, 0)).toBe(seeded.filter((c) => c.orders > 0).length);
  });

  it("answers the cohort table's own request with the recent cohorts, exactly like the full cohort retention for the months it shows", async () => {
    const { db } = app.services;
    const { body } = await load("part=cohorts");
    const full = await cohortRetention(db, storeA);
    const months = body.cohorts!.map((c) => c.month);
    expect(months.length).toBeGreaterThan(0);
    expect(Object.keys(body).sort()).toEqual(["cohorts", "computedAt", "part"]);
    expect((body as { computedAt?: string | null }).computedAt).toBeNull(); // a small store: computed for this answer
    expect((await load()).body.cohorts).toBeUndefined();
    expect(body.cohorts).toEqual(full.filter((c) => months.includes(c.month)));
    expect(await recentCohortRetention(db, storeA, 3)).toEqual(full.slice(-3).filter((c) => c.month >= months[Math.max(0, months.length - 3)]!));
  });

  it("answers a period it does not offer with a 400 that says so, showing the default period", async () => {
    const { status, body } = await load("period=7");
    expect(status).toBe(400);
    expect(body.periodError).toMatch(/period must be one of 30, 90, 365/);
    expect(body.days).toBe(30);
  });
});

// Materialised membership: a refresh inserts joiners, deletes leavers and writes one
// segment_entered / segment_left Event per change, once (a re-run writes nothing); automatic
// segments follow a rescore (one per RFM segment and per cluster, named in the store's language);
// the rescore job queues segments.refresh and webhook batches queue a debounced one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { customer, order } from "../support/analytics-data.ts";
import type { Db } from "../../app/db/client.server.ts";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { rescoreStore } from "../../app/core/analytics/rescore-store.server.ts";
import { RFM_SEGMENTS } from "../../app/core/analytics/segments.ts";
import { segmentContext } from "../../app/core/segments/compile.server.ts";
import { refreshSegment, refreshStoreSegments, removeSegment, SEGMENT_ENTERED, SEGMENT_LEFT } from "../../app/core/segments/membership.server.ts";
import { requestSegmentsRefresh, runSegmentsRefresh } from "../../app/jobs/segments-refresh.server.ts";
import { runRescoreJob } from "../../app/jobs/rescore.server.ts";
import { QUEUES } from "../../app/jobs/queues.ts";

let services: TestServices;
let db: Db;

beforeAll(async () => {
  services = await startTestServices();
  db = services.db;
});
afterAll(async () => {
  await services?.cleanup();
});

const newStore = async (domain: string, locale = "pt-BR") => (await db.store.create({ data: { platform: "shopify", domain, name: domain, locale } })).id;
const spenders = { type: "group", op: "and", children: [{ type: "condition", field: "totalSpent", op: "gte", value: 10_000 }] };

async function eventsOf(storeId: number, segmentId: number) {
  const events = await db.event.findMany({ where: { storeId, type: { in: [SEGMENT_ENTERED, SEGMENT_LEFT] } }, include: { customer: { select: { platformId: true } } }, orderBy: { id: "asc" } });
  return events.filter((e) => (e.data as { segmentId: number }).segmentId === segmentId).map((e) => `${e.type}:${e.customer!.platformId}`);
}

describe("membership refresh", () => {
  it("writes entered/left events once per change and keeps the count", async () => {
    const storeId = await newStore("members.example");
    await applyChanges(db, storeId, [
      order({ id: "1", customer: "ana", placedAt: "2026-05-01T12:00:00Z", totalMinor: 20_000n }),
      order({ id: "2", customer: "bia", placedAt: "2026-05-02T12:00:00Z", totalMinor: 5_000n }),
      order({ id: "3", customer: "caio", placedAt: "2026-05-03T12:00:00Z", totalMinor: 15_000n }),
    ]);
    const segment = await db.segment.create({ data: { storeId, name: "Gastam bem", filter: spenders } });
    const ctx = await segmentContext(db, storeId, new Date("2026-06-01T12:00:00Z"));

    expect(await refreshSegment(db, ctx, segment)).toEqual({ segmentId: segment.id, entered: 2, left: 0, members: 2 });
    expect(await eventsOf(storeId, segment.id)).toEqual(["segment_entered:ana", "segment_entered:caio"]);
    const entered = await db.event.findFirstOrThrow({ where: { storeId, type: SEGMENT_ENTERED } });
    expect(entered.data).toEqual({ segmentId: segment.id, segmentName: "Gastam bem" });
    expect(entered.occurredAt).toEqual(new Date("2026-06-01T12:00:00Z"));

    // Nothing changed: nothing written.
    expect(await refreshSegment(db, ctx, segment)).toEqual({ segmentId: segment.id, entered: 0, left: 0, members: 2 });
    expect(await eventsOf(storeId, segment.id)).toHaveLength(2);

    // ana is refunded below the line, bia buys more: one leaves, one joins.
    await applyChanges(db, storeId, [
      order({ id: "1", customer: "ana", placedAt: "2026-05-01T12:00:00Z", totalMinor: 20_000n, refundedMinor: 15_000n, status: "partially_refunded", version: 1 }),
      order({ id: "4", customer: "bia", placedAt: "2026-05-20T12:00:00Z", totalMinor: 9_000n }),
    ]);
    expect(await refreshSegment(db, ctx, segment)).toEqual({ segmentId: segment.id, entered: 1, left: 1, members: 2 });
    expect(await refreshSegment(db, ctx, segment)).toMatchObject({ entered: 0, left: 0 });
    expect(await eventsOf(storeId, segment.id)).toEqual(["segment_entered:ana", "segment_entered:caio", "segment_entered:bia", "segment_left:ana"]);
    const stored = await db.segment.findUniqueOrThrow({ where: { storeId_id: { storeId, id: segment.id } } });
    expect(stored.memberCount).toBe(2);
    expect(stored.refreshedAt).toEqual(new Date("2026-06-01T12:00:00Z"));

    // An erased customer leaves every segment.
    await db.customer.updateMany({ where: { storeId, platformId: "caio" }, data: { erasedAt: new Date() } });
    expect(await refreshSegment(db, ctx, segment)).toMatchObject({ entered: 0, left: 1, members: 1 });

    // Two refreshes racing still report each change once.
    await db.customer.updateMany({ where: { storeId, platformId: "caio" }, data: { erasedAt: null } });
    const both = await Promise.all([refreshSegment(db, ctx, segment), refreshSegment(db, ctx, segment)]);
    expect(both.reduce((n, r) => n + r.entered, 0)).toBe(1);
    expect((await eventsOf(storeId, segment.id)).filter((e) => e === "segment_entered:caio")).toHaveLength(2);

    // Deleting the segment: its members leave (one event each), the rows go.
    await removeSegment(db, storeId, segment.id, segment.name);
    expect(await db.segmentMember.count({ where: { storeId, segmentId: segment.id } })).toBe(0);
    expect((await eventsOf(storeId, segment.id)).filter((e) => e.startsWith("segment_left"))).toHaveLength(4);
  });

  it("leaves a segment with an invalid stored filter as it is and refreshes the others", async () => {
    const storeId = await newStore("invalid.example");
    await applyChanges(db, storeId, [order({ id: "1", customer: "ana", placedAt: "2026-05-01T12:00:00Z", totalMinor: 20_000n })]);
    const bad = await db.segment.create({ data: { storeId, name: "Bad", filter: { type: "group", op: "xor", children: [] } } });
    const good = await db.segment.create({ data: { storeId, name: "Good", filter: spenders } });
    const results = await refreshStoreSegments(db, await segmentContext(db, storeId));
    expect(results.find((r) => r.segmentId === bad.id)!.error).toMatch(/^op: /);
    expect(results.find((r) => r.segmentId === good.id)).toMatchObject({ entered: 1, members: 1 });
  });

  it("does not touch another store's members", async () => {
    const a = await newStore("tenant-a.example");
    const b = await newStore("tenant-b.example");
    await applyChanges(db, a, [order({ id: "1", customer: "ana", placedAt: "2026-05-01T12:00:00Z", totalMinor: 20_000n })]);
    await applyChanges(db, b, [order({ id: "1", customer: "ana", placedAt: "2026-05-01T12:00:00Z", totalMinor: 20_000n })]);
    const segA = await db.segment.create({ data: { storeId: a, name: "A", filter: spenders } });
    await refreshSegment(db, await segmentContext(db, a), segA);
    expect(await db.segmentMember.count({ where: { storeId: b } })).toBe(0);
    const memberA = await db.segmentMember.findFirstOrThrow({ where: { storeId: a } });
    const customerA = await db.customer.findFirstOrThrow({ where: { storeId: a } });
    expect(memberA.customerId).toBe(customerA.id);
  });
});

describe("automatic segments", () => {
  it("follow a rescore: one per RFM segment and per cluster, members as scored, names in the store's language", async () => {
    const storeId = await newStore("auto.example", "pt-BR");
    const changes = [];
    for (let i = 0; i < 60; i++) {
      const orders = 1 + (i % 5);
      for (let k = 0; k < orders; k++) changes.push(order({ id: `${i}-${k}`, customer: `c${i}`, placedAt: new Date(Date.UTC(2026, 0, 1 + ((i * 7 + k * 31) % 150), 12)), totalMinor: BigInt(1_000 + i * 300 + k * 50) }));
    }
    changes.push({ kind: "customer.upsert" as const, customer: customer("never-bought") });
    await applyChanges(db, storeId, changes);

    // Not scored yet: no automatic segments.
    await runSegmentsRefresh(services, storeId);
    expect(await db.segment.count({ where: { storeId } })).toBe(0);

    const scored = await rescoreStore(db, storeId, new Date("2026-06-01T12:00:00Z"));
    await runSegmentsRefresh(services, storeId);
    const rfm = await db.segment.findMany({ where: { storeId, kind: "rfm" }, orderBy: { id: "asc" } });
    expect(rfm.map((s) => s.autoKey)).toEqual(RFM_SEGMENTS.map((k) => `rfm:${k}`));
    expect(rfm.find((s) => s.autoKey === "rfm:champions")).toMatchObject({ name: "Campeões", nameKey: "analytics.segments.champions" });
    for (const s of rfm) {
      const key = s.autoKey!.slice(4);
      const expected = await db.customerStats.findMany({ where: { storeId, rfmSegment: key, customer: { erasedAt: null } }, select: { customerId: true }, orderBy: { customerId: "asc" } });
      const members = await db.segmentMember.findMany({ where: { storeId, segmentId: s.id }, select: { customerId: true }, orderBy: { customerId: "asc" } });
      expect(members, key).toEqual(expected);
      expect(s.memberCount).toBe(expected.length);
    }
    const k = scored.clusters.model!.k;
    const clusters = await db.segment.findMany({ where: { storeId, kind: "cluster" }, orderBy: { autoKey: "asc" } });
    expect(clusters.map((s) => s.autoKey)).toEqual(Array.from({ length: k }, (_, i) => `cluster:${i}`));
    expect(clusters[0]!.name).toMatch(/^#1 /);
    const inClusters = await db.segmentMember.count({ where: { storeId, segmentId: { in: clusters.map((s) => s.id) } } });
    expect(inClusters).toBe(await db.customerStats.count({ where: { storeId, cluster: { not: null } } }));

    // A second refresh with the same scores changes nothing.
    const events = await db.event.count({ where: { storeId, type: { in: [SEGMENT_ENTERED, SEGMENT_LEFT] } } });
    await runSegmentsRefresh(services, storeId);
    expect(await db.event.count({ where: { storeId, type: { in: [SEGMENT_ENTERED, SEGMENT_LEFT] } } })).toBe(events);

    // Fewer clusters next time: the extra cluster segments go.
    await db.store.update({ where: { id: storeId }, data: { settings: { analytics: { clusters: { k: 2 } } } } });
    await rescoreStore(db, storeId, new Date("2026-06-01T12:00:00Z"));
    await runSegmentsRefresh(services, storeId);
    expect((await db.segment.findMany({ where: { storeId, kind: "cluster" }, orderBy: { autoKey: "asc" } })).map((s) => s.autoKey)).toEqual(["cluster:0", "cluster:1"]);
  });

  it("the rescore job queues a refresh; webhook-triggered requests are debounced to one waiting job", async () => {
    const storeId = await newStore("jobs.example");
    await applyChanges(db, storeId, [order({ id: "1", customer: "ana", placedAt: "2026-05-01T12:00:00Z", totalMinor: 20_000n })]);
    const queued = async () => {
      const r = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${QUEUES.segmentsRefresh} AND "singleton_key" = ${String(storeId)} AND state IN ('created', 'retry')`;
      return r[0]!.n;
    };
    await runRescoreJob(services, storeId);
    expect(await queued()).toBe(1);
    await db.$executeRaw`DELETE FROM pgboss.job WHERE name = ${QUEUES.segmentsRefresh}`;
    for (let i = 0; i < 5; i++) await requestSegmentsRefresh(services.boss, storeId, 60);
    expect(await queued()).toBe(1);
  });
});

// The default (all-time, rank policy) rescoring scores customers by four cut values per dimension
// instead of per-row window ranks. These tests prove it gives exactly the window formulation's
// scores (still used for windows and NTILE) and the TypeScript specification's, on random stores
// with heavy ties, tiny stores (the ⌈k·n/5⌉ edges), last orders right at local midnight in zones
// with DST, half-hour and +14 h offsets, and across a day where some customers moved; and that the
// segment members segments count from (CustomerRfmSegment) always mirror the scores.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Prisma } from "@prisma/client";
import { rescoreRfm, scoredCustomersSql } from "../../app/core/analytics/rfm.server.ts";
import { rankScores } from "../../app/core/analytics/rfm.ts";
import { segmentFor } from "../../app/core/analytics/segments.ts";
import { buildCustomerExport } from "../../app/core/privacy/data-export.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const ALL_TIME_RANK = { windowMonths: null, tiePolicy: "rank" } as const;
const AS_OF = new Date("2019-03-01T12:00:00Z");

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

// Around São Paulo's last DST changes (clocks forward at local midnight 2018-11-04, back at
// midnight 2019-02-17) and at local midnight elsewhere: the instants where a UTC timestamp and a
// local date disagree most.
const DAYS = ["2018-11-02", "2018-11-03", "2018-11-04", "2018-11-05", "2019-02-15", "2019-02-16", "2019-02-17", "2019-02-18"];
const TIMES = ["01:59:59.999", "02:00:00.000", "02:30:00.000", "02:59:59.999", "03:00:00.000", "03:00:00.001", "09:45:00.000", "10:00:00.000", "13:59:59.999", "14:00:00.000", "18:29:59.999", "18:30:00.000", "21:00:00.000", "23:59:59.999"];

async function makeStore(timezone: string, n: number, seed: number): Promise<number> {
  const r = rng(seed);
  const storeId = (await t.db.store.create({ data: { platform: "shopify", domain: `cuts-${seed}-${n}.myshopify.com`, name: "Cuts", timezone } })).id;
  const customers = Array.from({ length: n }, (_, i) => ({ storeId, id: 1000 * seed + i + 1, platformId: `c${i}` }));
  await t.db.customer.createMany({ data: customers });
  await t.db.customerStats.createMany({
    data: customers.map((c) => {
      const orders = pick(r, [0, 1, 1, 1, 1, 2, 2, 3, 5, 8]);
      return {
        storeId,
        customerId: c.id,
        ordersCount: orders,
        // Few distinct amounts (ties), zero (fully refunded) and a negative one (refund above total).
        revenueMinor: orders === 0 ? 0n : BigInt(pick(r, [-500, 0, 0, 1000, 1000, 1000, 2500, 2500, 9900, 12345, 50000])),
        lastOrderAt: orders === 0 ? null : new Date(`${pick(r, DAYS)}T${pick(r, TIMES)}Z`),
      };
    }),
  });
  return storeId;
}

type Row = { id: number; r: number | null; f: number | null; m: number | null; segment: string | null };

/** The stored scores of every customer of the store. */
async function stored(storeId: number): Promise<Map<number, Row>> {
  const rows = await t.db.customerStats.findMany({ where: { storeId }, select: { customerId: true, rScore: true, fScore: true, mScore: true, rfmSegment: true } });
  return new Map(rows.map((s) => [s.customerId, { id: s.customerId, r: s.rScore, f: s.fScore, m: s.mScore, segment: s.rfmSegment }]));
}

/** The window-function formulation (rank() per dimension) over the same kept stats. */
async function byWindows(storeId: number, timezone: string): Promise<Map<number, Row>> {
  const rows = await t.db.$transaction(async (tx) => {
    await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
    return tx.$queryRaw<Row[]>(Prisma.sql`SELECT id, r, f, m, segment FROM (${scoredCustomersSql(storeId, ALL_TIME_RANK, AS_OF, timezone)}) s`);
  });
  return new Map(rows.map((row) => [row.id, row]));
}

/** The TypeScript specification (rfm.ts rankScores) on local dates computed by Intl. */
async function bySpec(storeId: number, timezone: string): Promise<Map<number, Row>> {
  const stats = await t.db.customerStats.findMany({ where: { storeId, ordersCount: { gt: 0 } }, orderBy: { customerId: "asc" } });
  const localDay = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
  const day = (d: Date) => Date.parse(`${localDay.format(d)}T00:00:00Z`) / 86_400_000;
  const r = rankScores(stats.map((s) => day(s.lastOrderAt!)));
  const f = rankScores(stats.map((s) => s.ordersCount));
  const m = rankScores(stats.map((s) => Number(s.revenueMinor)));
  return new Map(stats.map((s, i) => [s.customerId, { id: s.customerId, r: r[i]!, f: f[i]!, m: m[i]!, segment: segmentFor(r[i]!, f[i]!) }]));
}

/** CustomerRfmSegment (segment members, counted by segments) mirrors CustomerStats.rfmSegment exactly. */
async function expectMembersMirrored(storeId: number) {
  const members = await t.db.customerRfmSegment.findMany({ where: { storeId }, orderBy: { customerId: "asc" }, select: { customerId: true, segment: true } });
  const stats = await t.db.customerStats.findMany({ where: { storeId, rfmSegment: { not: null } }, orderBy: { customerId: "asc" }, select: { customerId: true, rfmSegment: true } });
  expect(members).toEqual(stats.map((s) => ({ customerId: s.customerId, segment: s.rfmSegment })));
}

async function expectSameScores(storeId: number, timezone: string) {
  await expectMembersMirrored(storeId);
  const mine = await stored(storeId);
  const windows = await byWindows(storeId, timezone);
  const spec = await bySpec(storeId, timezone);
  const scored = [...mine.values()].filter((row) => row.segment !== null);
  expect(scored.length).toBe(windows.size);
  expect(spec.size).toBe(windows.size);
  for (const row of mine.values()) {
    const w = windows.get(row.id);
    if (!w) {
      expect(row, `customer ${row.id} has no counted order`).toEqual({ id: row.id, r: null, f: null, m: null, segment: null });
      continue;
    }
    expect(row, `customer ${row.id} vs window ranks`).toEqual(w);
    expect(row, `customer ${row.id} vs rfm.ts`).toEqual(spec.get(row.id));
  }
}

describe("RFM by cut values equals the window formulation", () => {
  const cases: [string, number, number][] = [
    ["America/Sao_Paulo", 1, 1], ["America/Sao_Paulo", 2, 2], ["America/Sao_Paulo", 3, 3], ["America/Sao_Paulo", 4, 4],
    ["America/Sao_Paulo", 5, 5], ["America/Sao_Paulo", 6, 6], ["America/Sao_Paulo", 7, 7], ["America/Sao_Paulo", 11, 8],
    ["America/Sao_Paulo", 64, 9], ["America/Sao_Paulo", 3001, 10], ["Asia/Kolkata", 2999, 11], ["Pacific/Kiritimati", 1500, 12],
    ["Pacific/Pago_Pago", 1500, 13], ["UTC", 777, 14],
  ];
  it.each(cases)("%s, %i customers (seed %i)", async (timezone, n, seed) => {
    const storeId = await makeStore(timezone, n, seed);
    const run = await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    await expectSameScores(storeId, timezone);
    const buyers = await t.db.customerStats.count({ where: { storeId, ordersCount: { gt: 0 } } });
    expect(run.customers).toBe(buyers);
    expect(run.changed).toBe(buyers);
    expect(run.transitions.reduce((s, tr) => s + tr.customers, 0)).toBe(buyers);
    expect(await t.db.rfmSnapshot.count({ where: { storeId, runId: run.runId } })).toBe(buyers);
  });

  it("after a day where customers bought, lost every order or arrived, rewrites exactly the rows whose scores changed", async () => {
    const timezone = "America/Sao_Paulo";
    const storeId = await makeStore(timezone, 2000, 21);
    await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    const before = await stored(storeId);
    // 5 % bought again, 1 % had every order cancelled, 1 % bought for the first time.
    await t.db.$executeRaw`UPDATE "CustomerStats" SET "ordersCount" = "ordersCount" + 1, "revenueMinor" = "revenueMinor" + 777, "lastOrderAt" = '2019-02-28 02:59:59.999'
      WHERE "storeId" = ${storeId} AND "ordersCount" > 0 AND "customerId" % 20 = 3`;
    await t.db.$executeRaw`UPDATE "CustomerStats" SET "ordersCount" = 0, "revenueMinor" = 0, "lastOrderAt" = NULL WHERE "storeId" = ${storeId} AND "ordersCount" > 0 AND "customerId" % 100 = 4`;
    await t.db.$executeRaw`UPDATE "CustomerStats" SET "ordersCount" = 1, "revenueMinor" = 1000, "lastOrderAt" = '2019-02-28 03:00:00' WHERE "storeId" = ${storeId} AND "ordersCount" = 0 AND "customerId" % 100 = 5`;
    // Another store's scores are left alone.
    const other = await makeStore(timezone, 50, 22);
    await rescoreRfm(t.db, other, ALL_TIME_RANK, AS_OF);
    const otherBefore = await stored(other);

    const run = await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    await expectSameScores(storeId, timezone);
    const after = await stored(storeId);
    const changed = [...after.values()].filter((row) => JSON.stringify(row) !== JSON.stringify(before.get(row.id)));
    expect(changed.length).toBeGreaterThan(0);
    expect(run.changed).toBe(changed.length);
    const cleared = changed.filter((row) => row.segment === null);
    expect(cleared.length).toBeGreaterThan(0);
    expect(run.transitions.filter((tr) => tr.to === null).reduce((s, tr) => s + tr.customers, 0)).toBe(cleared.length);
    expect(run.transitions.filter((tr) => tr.from === null && tr.to !== null).reduce((s, tr) => s + tr.customers, 0)).toBe(
      changed.filter((row) => row.segment !== null && before.get(row.id)!.segment === null).length,
    );
    // The matrix covers everyone scored before or now; the snapshot holds the rewritten, still-scored rows.
    const everScored = [...after.values()].filter((row) => row.segment !== null || before.get(row.id)!.segment !== null).length;
    expect(run.transitions.reduce((s, tr) => s + tr.customers, 0)).toBe(everScored);
    // Each segment's size after the run (the matrix's column sums) is what the table now holds.
    const sizes = new Map<string, number>();
    for (const row of after.values()) if (row.segment !== null) sizes.set(row.segment, (sizes.get(row.segment) ?? 0) + 1);
    const columns = new Map<string, number>();
    for (const tr of run.transitions) if (tr.to !== null) columns.set(tr.to, (columns.get(tr.to) ?? 0) + tr.customers);
    expect(columns).toEqual(sizes);
    const snap = await t.db.rfmSnapshot.findMany({ where: { storeId, runId: run.runId }, select: { customerId: true, rScore: true, fScore: true, mScore: true, segment: true } });
    expect(snap.map((s) => s.customerId).sort((a, b) => a - b)).toEqual(changed.filter((row) => row.segment !== null).map((row) => row.id).sort((a, b) => a - b));
    for (const s of snap) expect({ id: s.customerId, r: s.rScore, f: s.fScore, m: s.mScore, segment: s.segment }).toEqual(after.get(s.customerId));
    expect(await stored(other)).toEqual(otherBefore);

    // Nothing changed since: nothing rewritten, nothing snapshotted, everyone stays put.
    const again = await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    expect(again.changed).toBe(0);
    expect(again.transitions.every((tr) => tr.from === tr.to)).toBe(true);
    expect(await t.db.rfmSnapshot.count({ where: { storeId, runId: again.runId } })).toBe(0);
  });

  it("a deleted customer's snapshot rows go with it, and a deleted store's with the store (no foreign keys on the snapshot's hot path)", async () => {
    const storeId = await makeStore("UTC", 40, 31);
    const other = await makeStore("UTC", 40, 32);
    await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    await rescoreRfm(t.db, other, ALL_TIME_RANK, AS_OF);
    const victim = (await t.db.rfmSnapshot.findFirstOrThrow({ where: { storeId } })).customerId;
    const otherBefore = await t.db.rfmSnapshot.count({ where: { storeId: other } });
    expect(otherBefore).toBeGreaterThan(0);
    await t.db.customer.delete({ where: { storeId_id: { storeId, id: victim } } });
    expect(await t.db.rfmSnapshot.count({ where: { storeId, customerId: victim } })).toBe(0);
    expect(await t.db.customerRfmSegment.count({ where: { storeId, customerId: victim } })).toBe(0);
    await expectMembersMirrored(storeId);
    const otherMembers = await t.db.customerRfmSegment.count({ where: { storeId: other } });
    expect(otherMembers).toBeGreaterThan(0);
    expect(await t.db.rfmSnapshot.count({ where: { storeId } })).toBeGreaterThan(0);
    await t.db.store.delete({ where: { id: storeId } });
    expect(await t.db.rfmSnapshot.count({ where: { storeId } })).toBe(0);
    expect(await t.db.rfmSnapshot.count({ where: { storeId: other } })).toBe(otherBefore);
    expect(await t.db.customerRfmSegment.count({ where: { storeId } })).toBe(0);
    expect(await t.db.customerRfmSegment.count({ where: { storeId: other } })).toBe(otherMembers);
  });

  it("a deleted run's snapshot rows go with it (a trigger, not a foreign key), and a customer's history still reads each row with its run's date", async () => {
    const storeId = await makeStore("UTC", 30, 33);
    const other = await makeStore("UTC", 30, 34);
    const first = await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    await rescoreRfm(t.db, other, ALL_TIME_RANK, AS_OF);
    // One customer buys a lot: the next run rewrites (and snapshots) them again.
    const buyer = (await t.db.rfmSnapshot.findFirstOrThrow({ where: { storeId, runId: first.runId }, orderBy: { customerId: "asc" } })).customerId;
    await t.db.$executeRaw`UPDATE "CustomerStats" SET "ordersCount" = "ordersCount" + 50, "revenueMinor" = "revenueMinor" + 10000000, "lastOrderAt" = '2019-03-01 11:00:00'
      WHERE "storeId" = ${storeId} AND "customerId" = ${buyer}`;
    const second = await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    expect(await t.db.rfmSnapshot.count({ where: { storeId, runId: second.runId, customerId: buyer } })).toBe(1);
    const runs = await t.db.rfmRun.findMany({ where: { storeId }, orderBy: { id: "asc" }, select: { id: true, createdAt: true } });
    const exported = (await buildCustomerExport(t.db, storeId, buyer)) as unknown as { rfmHistory: { at: string; segment: string }[] };
    expect(exported.rfmHistory.map((h) => h.at)).toEqual(runs.map((r) => r.createdAt.toISOString()));
    expect(exported.rfmHistory.at(-1)!.segment).toBe((await t.db.customerStats.findUniqueOrThrow({ where: { storeId_customerId: { storeId, customerId: buyer } } })).rfmSegment);

    const otherBefore = await t.db.rfmSnapshot.count({ where: { storeId: other } });
    const secondBefore = await t.db.rfmSnapshot.count({ where: { storeId, runId: second.runId } });
    expect(secondBefore).toBeGreaterThan(0);
    await t.db.rfmRun.delete({ where: { storeId_id: { storeId, id: first.runId } } });
    expect(await t.db.rfmSnapshot.count({ where: { storeId, runId: first.runId } })).toBe(0);
    expect(await t.db.rfmSnapshot.count({ where: { storeId, runId: second.runId } })).toBe(secondBefore);
    expect(await t.db.rfmSnapshot.count({ where: { storeId: other } })).toBe(otherBefore);
  });

  it("a customer deleted while the run waits to rewrite them gets no snapshot and no segment member (the write is checked, not assumed)", async () => {
    const storeId = await makeStore("UTC", 60, 35);
    await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    // The victim (not a champion yet) buys a lot today: the next run rewrites them.
    const victim = (await t.db.customerStats.findFirstOrThrow({ where: { storeId, ordersCount: { gt: 0 }, rfmSegment: { not: "champions" } }, orderBy: { customerId: "asc" } })).customerId;
    await t.db.$executeRaw`UPDATE "CustomerStats" SET "ordersCount" = "ordersCount" + 50, "revenueMinor" = "revenueMinor" + 10000000, "lastOrderAt" = '2019-03-01 11:00:00'
      WHERE "storeId" = ${storeId} AND "customerId" = ${victim}`;
    const before = await stored(storeId);
    // Another session holds the victim's stats row, so the rescoring's UPDATE waits for it after
    // its scan has already picked the victim as changed; then that session deletes the customer.
    const eraser = new pg.Client({ connectionString: t.url });
    await eraser.connect();
    try {
      await eraser.query("BEGIN");
      await eraser.query(`SELECT 1 FROM "CustomerStats" WHERE "storeId" = $1 AND "customerId" = $2 FOR UPDATE`, [storeId, victim]);
      const run = rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
      for (let waited = 0; ; waited += 50) {
        const { rows } = await eraser.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`);
        if (rows[0].n > 0) break;
        if (waited > 20_000) throw new Error("the rescoring never waited for the locked row");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await eraser.query(`DELETE FROM "Customer" WHERE "storeId" = $1 AND id = $2`, [storeId, victim]);
      await eraser.query("COMMIT");
      const result = await run;
      const after = await stored(storeId);
      const changed = [...after.values()].filter((row) => JSON.stringify(row) !== JSON.stringify(before.get(row.id))).map((row) => row.id);
      expect(result.changed).toBe(changed.length);
      const snap = await t.db.rfmSnapshot.findMany({ where: { storeId, runId: result.runId }, select: { customerId: true }, orderBy: { customerId: "asc" } });
      expect(snap.map((x) => x.customerId)).toEqual(changed.filter((id) => after.get(id)!.segment !== null).sort((a, b) => a - b));
      expect(await t.db.rfmSnapshot.count({ where: { storeId, customerId: victim } })).toBe(0);
      expect(await t.db.customerRfmSegment.count({ where: { storeId, customerId: victim } })).toBe(0);
      expect(result.customers).toBe(await t.db.customerStats.count({ where: { storeId, rfmSegment: { not: null } } }));
      // (Not compared with the window formulation: the cuts counted the victim, as the run began before the deletion.)
      await expectMembersMirrored(storeId);
    } finally {
      await eraser.end();
    }
  });

  it("segment members follow every other write of CustomerStats.rfmSegment (the triggers): insert, update, upsert, NTILE and window rescoring, delete", async () => {
    const storeId = await makeStore("UTC", 300, 41);
    const ids = (await t.db.customerStats.findMany({ where: { storeId }, select: { customerId: true }, orderBy: { customerId: "asc" } })).map((s) => s.customerId);
    // Prisma and raw SQL writes of the column, one row and many, moves and clears; a write of other columns only.
    await t.db.customerStats.update({ where: { storeId_customerId: { storeId, customerId: ids[0]! } }, data: { rfmSegment: "champions" } });
    await t.db.$executeRaw`UPDATE "CustomerStats" SET "rfmSegment" = CASE WHEN "customerId" % 2 = 0 THEN 'lost' ELSE 'loyal' END WHERE "storeId" = ${storeId} AND "customerId" % 3 = 0`;
    await t.db.$executeRaw`UPDATE "CustomerStats" SET "rfmSegment" = NULL WHERE "storeId" = ${storeId} AND "customerId" % 9 = 0`;
    await t.db.$executeRaw`UPDATE "CustomerStats" SET "avgOrderMinor" = "avgOrderMinor" + 1 WHERE "storeId" = ${storeId}`;
    await expectMembersMirrored(storeId);
    const fresh = await t.db.customer.create({ data: { storeId, platformId: "fresh" } });
    await t.db.customerStats.upsert({ where: { storeId_customerId: { storeId, customerId: fresh.id } }, create: { storeId, customerId: fresh.id, rfmSegment: "new" }, update: {} });
    await t.db.customerStats.upsert({ where: { storeId_customerId: { storeId, customerId: fresh.id } }, create: { storeId, customerId: fresh.id }, update: { rfmSegment: "promising" } });
    await expectMembersMirrored(storeId);
    // The other rescorings (NTILE, a window of months) write through the triggers.
    await rescoreRfm(t.db, storeId, { windowMonths: null, tiePolicy: "ntile" }, AS_OF);
    await expectMembersMirrored(storeId);
    await rescoreRfm(t.db, storeId, { windowMonths: 1, tiePolicy: "rank" }, AS_OF);
    await expectMembersMirrored(storeId);
    // Back to the default: the set-based path picks up from whatever the triggers left.
    await rescoreRfm(t.db, storeId, ALL_TIME_RANK, AS_OF);
    await expectSameScores(storeId, "UTC");
    await t.db.customerStats.deleteMany({ where: { storeId, customerId: { in: ids.slice(0, 50) } } });
    await expectMembersMirrored(storeId);
    expect(await t.db.customerRfmSegment.count({ where: { storeId } })).toBeGreaterThan(0);
  });
});

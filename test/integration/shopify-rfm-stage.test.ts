// Shopify's statistics of a customers file, queued by COPY as chunks commit and written in one
// statement at the end (openShopifyStatisticsStage, used by loadBulkResult): scoped to the store,
// the last row of a customer winning, unknown customers skipped, awkward text surviving COPY, our own stats left alone, an
// unchanged row not rewritten, and the pooled connection handed back without its table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { openShopifyStatisticsStage, type ShopifyStatisticsRow } from "../../app/core/analytics/shopify-rfm.server.ts";
import { poolOf } from "../../app/db/client.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import { customer, order } from "../support/analytics-data.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const newStore = async (domain: string, platformIds: string[]) => {
  const storeId = (await t.db.store.create({ data: { platform: "shopify", domain, name: domain } })).id;
  await applyChanges(t.db, storeId, platformIds.map((id) => ({ kind: "customer.upsert" as const, customer: customer(id) })));
  return storeId;
};

/** Shopify's columns and the row's physical version (xmin changes when the row is rewritten). */
const rows = (storeId: number) =>
  t.db.$queryRaw<{ platformId: string; grp: string | null; tier: string | null; orders: number; version: string }[]>`
    SELECT c."platformId", s."shopifyRfmGroup" AS grp, s."shopifyPredictedSpendTier" AS tier, s."ordersCount" AS orders, s.xmin::text AS version
    FROM "CustomerStats" s JOIN "Customer" c ON c."storeId" = s."storeId" AND c.id = s."customerId"
    WHERE s."storeId" = ${storeId} ORDER BY c."platformId"`;

const row = (platformId: string, rfmGroup: string | null, predictedSpendTier: string | null): ShopifyStatisticsRow => ({ platformId, rfmGroup, predictedSpendTier });

/** Queue each batch as a committed chunk would, then write: the rows written. */
const write = async (storeId: number, ...batches: ShopifyStatisticsRow[][]) => {
  const stage = await openShopifyStatisticsStage(t.db, storeId);
  try {
    for (const batch of batches) await stage.add(batch);
    return await stage.finish();
  } finally {
    await stage.close();
  }
};

describe("Shopify statistics stage", () => {
  it("writes Shopify's groups upper-cased, for this store only, the last row of a customer winning", async () => {
    const ids = ["c1", "c2", "c3", "tab\there", "back\\slash\nnewline"];
    const storeId = await newStore("stage-a.myshopify.com", ids);
    const other = await newStore("stage-other.myshopify.com", ids);
    await write(other, ids.map((id) => row(id, "dormant", "low")));
    const before = await rows(other);

    const first = [row("c1", "champions", "high"), row("c2", "loyal", null), row("tab\there", "new", "medium"), row("unknown", "at_risk", "low")];
    const second = [row("c1", "at_risk", "low"), row("c3", null, null), row("back\\slash\nnewline", "active", "High")];
    // c1 twice: the later one wins; "unknown" is no customer of the store.
    expect(await write(storeId, first, [], second)).toBe(5);

    const strip = (r: Awaited<ReturnType<typeof rows>>) => r.map(({ version: _, ...rest }) => rest);
    expect(strip(await rows(storeId))).toEqual([
      { platformId: "back\\slash\nnewline", grp: "ACTIVE", tier: "HIGH", orders: 0 },
      { platformId: "c1", grp: "AT_RISK", tier: "LOW", orders: 0 },
      { platformId: "c2", grp: "LOYAL", tier: null, orders: 0 },
      { platformId: "c3", grp: null, tier: null, orders: 0 },
      { platformId: "tab\there", grp: "NEW", tier: "MEDIUM", orders: 0 },
    ]);
    // Another store's customers with the same Shopify ids are untouched.
    expect(await rows(other)).toEqual(before);
  });

  it("leaves our own stats alone and does not rewrite a row that already says the same", async () => {
    const storeId = await newStore("stage-keep.myshopify.com", ["ana", "bia"]);
    await applyChanges(t.db, storeId, [order({ id: "1", customer: "ana", placedAt: "2026-01-10T12:00:00Z", totalMinor: 1000n })]);
    expect(await write(storeId, [row("ana", "champions", "high"), row("bia", "new", "low")])).toBe(2);
    const first = await rows(storeId);
    expect(first.map((r) => [r.platformId, r.grp, r.orders])).toEqual([["ana", "CHAMPIONS", 1], ["bia", "NEW", 0]]);
    // The same statistics again (a resync): nothing written, no new row versions.
    expect(await write(storeId, [row("ana", "champions", "high"), row("bia", "new", "low")])).toBe(0);
    expect(await rows(storeId)).toEqual(first);
    // One changed: only that row is rewritten.
    expect(await write(storeId, [row("ana", "champions", "high"), row("bia", "loyal", "low")])).toBe(1);
    const after = await rows(storeId);
    expect(after[0]).toEqual(first[0]);
    expect(after[1]).toMatchObject({ grp: "LOYAL", orders: 0 });
    expect(after[1]!.version).not.toBe(first[1]!.version);
  });

  it("hands its pooled connection back without the staging table, after a failure too", async () => {
    const storeId = await newStore("stage-close.myshopify.com", ["x"]);
    const stage = await openShopifyStatisticsStage(t.db, storeId);
    await stage.add([row("x", "new", null)]);
    await stage.close();
    await stage.close(); // twice is harmless
    await expect(stage.add([row("x", "new", null)])).rejects.toThrow();
    const pool = poolOf(t.db);
    const clients = await Promise.all(Array.from({ length: pool.totalCount || 1 }, () => pool.connect()));
    try {
      for (const client of clients) {
        const { rows: found } = await client.query(`SELECT to_regclass('pg_temp.shopify_statistics_stage') AS t`);
        expect(found[0].t).toBeNull();
      }
    } finally {
      for (const client of clients) client.release();
    }
    // Nothing was written: the rows were queued, never finished.
    expect(await rows(storeId)).toEqual([]);
  });
});

// The webhook worker applies batches of upserts on a node-postgres transaction (app/db/raw-tx.server.ts)
// instead of a Prisma one. What must hold on a real PostgreSQL: values travel and come back exactly
// as through Prisma (UTC timestamps whatever the process's time zone, int8 as bigint, arrays), a
// throw rolls everything back, a batch applied that way ends in the same state as through Prisma,
// and a batch that needs the model API (a deletion) is refused rather than half applied.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createStoreSimulator } from "../../adapters/shopify/simulator/index.ts";
import { normalizeShopifyWebhook } from "../../adapters/shopify/normalize.ts";
import { applyChanges, applyUpsertsInRawTx, onlyUpserts } from "../../app/core/ingest/apply-batch.server.ts";
import { rawQueries, rawTransaction } from "../../app/db/raw-tx.server.ts";
import type { NormalizedChange } from "../../app/core/types.ts";
import { stateDigest } from "../support/state-digest.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
const originalTz = process.env.TZ;
beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => {
  process.env.TZ = originalTz;
  await services?.cleanup();
});

async function newStore(domain: string): Promise<number> {
  return (await services.db.store.create({ data: { platform: "shopify", domain, name: domain, currency: "BRL" } })).id;
}

describe("rawTransaction", () => {
  it("sends and reads values as Prisma does, in a non-UTC process time zone", async () => {
    process.env.TZ = "America/Sao_Paulo";
    try {
      const at = new Date("2026-03-01T02:30:00.123Z");
      const query = (d: Date) => Prisma.sql`SELECT ${d}::timestamp(3) AS ts, (${d}::timestamp(3))::text AS txt, 9007199254740993::int8 AS big,
        '2026-03-01'::date AS day, ARRAY[1, 2]::int[] AS ints, ${["a", null]}::text[] AS texts`;
      const viaPrisma = await services.db.$queryRaw<Record<string, unknown>[]>(query(at));
      const viaRaw = await rawTransaction(services.db, (tx) => tx.$queryRaw<Record<string, unknown>[]>(query(at)));
      expect(viaRaw).toEqual(viaPrisma);
      expect(viaRaw[0]!.txt).toBe("2026-03-01 02:30:00.123");
      expect((viaRaw[0]!.ts as Date).toISOString()).toBe(at.toISOString());
      expect(viaRaw[0]!.big).toBe(9007199254740993n);
    } finally {
      process.env.TZ = originalTz;
    }
  });

  it("commits on success and rolls everything back on a throw; the connection stays usable", async () => {
    const storeId = await newStore("raw-tx-rollback.myshopify.com");
    const insert = (key: string) =>
      Prisma.sql`INSERT INTO "WebhookReceipt" ("storeId", platform, topic, "dedupeKey") VALUES (${storeId}, 'shopify', 'orders/create', ${key})`;
    const keys = () => services.db.$queryRaw<{ key: string }[]>`SELECT "dedupeKey" AS key FROM "WebhookReceipt" WHERE "storeId" = ${storeId} ORDER BY 1`;
    await rawTransaction(services.db, async (tx) => {
      expect(await tx.$executeRaw(insert("kept"))).toBe(1);
    });
    await expect(
      rawTransaction(services.db, async (tx) => {
        await tx.$executeRaw(insert("undone"));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    // A failing statement aborts the transaction; the pool's connections keep working afterwards.
    await expect(rawTransaction(services.db, (tx) => tx.$executeRaw`SELECT 1/0`)).rejects.toThrow(/division by zero/);
    for (let i = 0; i < 12; i++) await rawTransaction(services.db, (tx) => tx.$queryRaw`SELECT 1`);
    expect(await keys()).toEqual([{ key: "kept" }]);
  });
});

describe("rawQueries", () => {
  it("reads a whole row exactly as Prisma's model API does (bigint id, enum, nullable and UTC timestamps)", async () => {
    const storeId = await newStore("raw-queries.myshopify.com");
    const created = await services.db.webhookReceipt.create({
      data: { storeId, platform: "shopify", topic: "orders/paid", dedupeKey: "rq-1", resourceId: "gid://shopify/Order/1", triggeredAt: new Date("2026-03-01T02:30:00.123Z"), body: "{}" },
    });
    process.env.TZ = "America/Sao_Paulo";
    try {
      const rows = await rawQueries(services.db).$queryRaw<unknown[]>`SELECT * FROM "WebhookReceipt" WHERE "storeId" = ${storeId} AND id = ANY(${[created.id]}::bigint[])`;
      expect(rows).toEqual([await services.db.webhookReceipt.findUniqueOrThrow({ where: { storeId_id: { storeId, id: created.id } } })]);
    } finally {
      process.env.TZ = originalTz;
    }
  });
});

describe("applyUpsertsInRawTx", () => {
  const sim = createStoreSimulator({ seed: 7, customers: 40, currency: "BRL", shopDomain: "raw-tx.myshopify.com" });
  const changes: NormalizedChange[] = [...sim.deliveries()].map((d) => normalizeShopifyWebhook(d.topic, d.body, { shopCurrency: "BRL" }));

  it("ends in the same state as the Prisma transaction for the same batches", async () => {
    const upserts = changes.filter((c) => onlyUpserts([c]));
    expect(upserts.length).toBeGreaterThan(100);
    const viaPrisma = await newStore("raw-tx-prisma.myshopify.com");
    const viaRaw = await newStore("raw-tx-raw.myshopify.com");
    for (let i = 0; i < upserts.length; i += 50) {
      const batch = upserts.slice(i, i + 50);
      await applyChanges(services.db, viaPrisma, batch);
      await rawTransaction(services.db, (tx) => applyUpsertsInRawTx(tx, viaRaw, batch));
    }
    const [a, b] = [await stateDigest(services.db, viaPrisma), await stateDigest(services.db, viaRaw)];
    expect(b.orders).toBeGreaterThan(0);
    expect(b).toEqual(a);
    // Event timestamps (read back from Checkout.startedAt on the raw path) are the same instants.
    const events = (storeId: number) =>
      services.db.$queryRaw<{ type: string; at: string }[]>`SELECT type, "occurredAt"::text AS at FROM "Event" WHERE "storeId" = ${storeId} ORDER BY type, "occurredAt"`;
    expect(await events(viaRaw)).toEqual(await events(viaPrisma));
  });

  it("refuses a batch holding a deletion, writing nothing", async () => {
    const storeId = await newStore("raw-tx-refuse.myshopify.com");
    const upsert = changes.find((c) => c.kind === "customer.upsert")!;
    const batch: NormalizedChange[] = [upsert, { kind: "order.delete", platformId: "1" }];
    expect(onlyUpserts(batch)).toBe(false);
    await expect(rawTransaction(services.db, (tx) => applyUpsertsInRawTx(tx, storeId, batch))).rejects.toThrow(/Prisma transaction/);
    expect(await services.db.customer.count({ where: { storeId } })).toBe(0);
  });
});

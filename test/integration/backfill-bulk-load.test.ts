// The bulk loader (COPY + set-based merge) must leave exactly what the batch writer (applyChanges,
// the webhook path) leaves for the same changes: the same simulated store is loaded both ways and
// every table compared row by row (database ids replaced by platform ids). Then the rules that
// matter with webhooks arriving meanwhile: newer data is never overwritten, a re-run changes
// nothing, and a load running while webhook batches write the same store neither deadlocks nor
// loses the newer versions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { readBulkJsonl } from "../../adapters/shopify/bulk-operations.server.ts";
import { normalizeBulkRecord } from "../../adapters/shopify/normalize-graphql.ts";
import { createGraphqlStore, type GraphqlBulkRoot } from "../../adapters/shopify/simulator/render-graphql.ts";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { openBulkLoad, type BulkLoadOptions, type BulkLoadResult } from "../../app/core/ingest/bulk-load.server.ts";
import type { NormalizedChange, NormalizedCustomer, NormalizedOrder } from "../../app/core/types.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
const graphqlStore = createGraphqlStore({ seed: 7, customers: 150, shopDomain: "bulk-load.myshopify.com" });

/** The store's bulk files, read and normalised as the backfill does. */
async function changesOf(root: GraphqlBulkRoot): Promise<NormalizedChange[]> {
  const jsonl = [...graphqlStore.bulkLines(root)].map((line) => JSON.stringify(line)).join("\n");
  const changes: NormalizedChange[] = [];
  for await (const record of readBulkJsonl(new Blob([jsonl]).stream())) changes.push(normalizeBulkRecord(record, { shopCurrency: "BRL" }));
  return changes;
}
let history: NormalizedChange[];
const orders = () => history.flatMap((c) => (c.kind === "order.upsert" ? [c.order] : []));

async function newStore(name: string): Promise<number> {
  const store = await services.db.store.create({ data: { platform: "shopify", domain: `${name}.myshopify.com`, name, currency: "BRL" } });
  return store.id;
}

async function bulkLoad(storeId: number, changes: NormalizedChange[], chunkSize: number, opts: BulkLoadOptions = {}): Promise<BulkLoadResult> {
  const loader = await openBulkLoad(services, storeId, { chunkSize, ...opts });
  try {
    for (const change of changes) await loader.add(change);
    return await loader.finish();
  } finally {
    await loader.close();
  }
}

async function applyInBatches(storeId: number, changes: NormalizedChange[], size: number): Promise<void> {
  for (let i = 0; i < changes.length; i += size) await applyChanges(services.db, storeId, changes.slice(i, i + size));
}

/**
 * Every row of the store's tables as JSON, database ids and our own timestamps left out, foreign
 * keys as platform ids, sorted: two stores loaded the same way give equal snapshots.
 */
async function snapshot(storeId: number): Promise<Record<string, unknown[]>> {
  const own = `- 'storeId' - 'id' - 'createdAt' - 'updatedAt'`;
  const queries: Record<string, Prisma.Sql> = {
    Customer: Prisma.sql`SELECT to_jsonb(c) ${Prisma.raw(own)} AS r FROM "Customer" c WHERE c."storeId" = ${storeId} ORDER BY c."platformId"`,
    Product: Prisma.sql`SELECT to_jsonb(p) ${Prisma.raw(own)} AS r FROM "Product" p WHERE p."storeId" = ${storeId} ORDER BY p."platformId"`,
    Order: Prisma.sql`SELECT to_jsonb(o) ${Prisma.raw(own)} - 'customerId' || jsonb_build_object('customer', c."platformId") AS r
      FROM "Order" o LEFT JOIN "Customer" c ON c."storeId" = o."storeId" AND c.id = o."customerId" WHERE o."storeId" = ${storeId} ORDER BY o."platformId"`,
    OrderLine: Prisma.sql`SELECT to_jsonb(l) ${Prisma.raw(own)} - 'orderId' || jsonb_build_object('order', o."platformId") AS r
      FROM "OrderLine" l JOIN "Order" o ON o."storeId" = l."storeId" AND o.id = l."orderId" WHERE l."storeId" = ${storeId} ORDER BY o."platformId", l."platformId", l.title`,
    Payment: Prisma.sql`SELECT to_jsonb(p) - 'storeId' - 'id' - 'updatedAt' - 'orderId' || jsonb_build_object('order', o."platformId") AS r
      FROM "Payment" p JOIN "Order" o ON o."storeId" = p."storeId" AND o.id = p."orderId" WHERE p."storeId" = ${storeId} ORDER BY p."platformId"`,
    Event: Prisma.sql`SELECT to_jsonb(e) ${Prisma.raw(own)} - 'customerId' - 'data'
        || jsonb_build_object('customer', c."platformId", 'data', (e.data - 'orderId') || jsonb_build_object('order', o."platformId")) AS r
      FROM "Event" e JOIN "Customer" c ON c."storeId" = e."storeId" AND c.id = e."customerId"
      LEFT JOIN "Order" o ON o."storeId" = e."storeId" AND o.id = (e.data->>'orderId')::int
      WHERE e."storeId" = ${storeId} ORDER BY e.type, o."platformId"`,
    CustomerStats: Prisma.sql`SELECT to_jsonb(s) - 'storeId' - 'customerId' - 'updatedAt' || jsonb_build_object('customer', c."platformId") AS r
      FROM "CustomerStats" s JOIN "Customer" c ON c."storeId" = s."storeId" AND c.id = s."customerId" WHERE s."storeId" = ${storeId} ORDER BY c."platformId"`,
    // Kept by triggers on the webhook path; the bulk load writes them itself when it skips triggers.
    CustomerTag: Prisma.sql`SELECT jsonb_build_object('tag', t.tag, 'customer', c."platformId") AS r
      FROM "CustomerTag" t JOIN "Customer" c ON c."storeId" = t."storeId" AND c.id = t."customerId" WHERE t."storeId" = ${storeId} ORDER BY c."platformId", t.tag`,
    DashboardDirtyDay: Prisma.sql`SELECT DISTINCT jsonb_build_object('part', part, 'day', day) AS r, part, day
      FROM "DashboardDirtyDay" WHERE "storeId" = ${storeId} ORDER BY part, day`,
  };
  const out: Record<string, unknown[]> = {};
  for (const [table, sql] of Object.entries(queries)) out[table] = (await services.db.$queryRaw<{ r: unknown }[]>(sql)).map((row) => row.r);
  return out;
}

/** A later version of an order, as a webhook would bring it: a day newer, another total, one line fewer. */
function newerVersion(order: NormalizedOrder): NormalizedOrder {
  return {
    ...order,
    platformUpdatedAt: new Date((order.platformUpdatedAt ?? order.placedAt).getTime() + 86_400_000),
    totalMinor: order.totalMinor + 12_345n,
    lines: order.lines.slice(0, Math.max(1, order.lines.length - 1)),
  };
}

/** An earlier version of an order, filed under another customer. */
function olderVersion(order: NormalizedOrder, customer: NormalizedOrder["customer"]): NormalizedOrder {
  return { ...order, customer, platformUpdatedAt: new Date((order.platformUpdatedAt ?? order.placedAt).getTime() - 86_400_000) };
}

beforeAll(async () => {
  services = await startTestServices();
  // The simulator's customers have no tags: give some of them tags (mixed case, as merchants
  // type them), which a later version embedded in their orders changes (one kept, one dropped,
  // one added), so the kept CustomerTag rows are written on insert and on update.
  const tagged = (customer: NormalizedCustomer, later: boolean): NormalizedCustomer => {
    const n = Number(customer.platformId) % 3;
    if (n === 2) return customer;
    return { ...customer, tags: n === 0 ? (later ? ["vip", "Novo"] : ["VIP", "Antigo"]) : ["Atacado"] };
  };
  history = [
    ...(await changesOf("products")),
    ...(await changesOf("customers")).map((c) => (c.kind === "customer.upsert" ? { ...c, customer: tagged(c.customer, false) } : c)),
    ...(await changesOf("orders")).map((c) =>
      c.kind === "order.upsert" && c.order.customer ? { ...c, order: { ...c.order, customer: tagged(c.order.customer, true) } } : c,
    ),
  ];
});
afterAll(async () => services?.cleanup());

describe("bulk load = applyChanges", () => {
  it.each([
    ["", {}],
    [" (with foreign-key checks, without RETURNING old: other servers)", { without: { skipForeignKeyChecks: true, returningOld: true } }],
    [" (customer stats rebuilt set-based, as for large loads)", { setBasedStatsFrom: 1 }],
  ] as const)("leaves every table exactly as the batch writer does%s", async (variant, opts) => {
    const tag = variant ? `-v${variant.length}` : "";
    const viaBatches = await newStore(`via-batches${tag}`);
    const viaBulk = await newStore(`via-bulk${tag}`);
    // Both start with older versions of some orders filed under other customers: the history
    // moves them back, and the stats of the customers they leave must follow.
    const list = orders();
    const moved = list.slice(0, 12).map((order, i) => olderVersion(order, { ...order.customer!, platformId: `990000000${i}`, email: `antes${i}@example.com` }));
    for (const storeId of [viaBatches, viaBulk]) await applyChanges(services.db, storeId, moved.map((order) => ({ kind: "order.upsert", order })));
    await applyInBatches(viaBatches, history, 500);
    // Small chunks: many transactions, customers spread over several of them.
    const result = await bulkLoad(viaBulk, history, 250, opts);

    const expected = await snapshot(viaBatches);
    const actual = await snapshot(viaBulk);
    const summary = graphqlStore.plan;
    expect(expected.Order).toHaveLength(summary.orders.length);
    expect(expected.Customer).toHaveLength(summary.customers.length + moved.length);
    expect(expected.OrderLine!.length).toBeGreaterThan(summary.orders.length);
    expect(expected.Payment!.length).toBeGreaterThan(0);
    // Neither writer records an `order.placed` Event any more (the timeline and flows read Order).
    expect(expected.Event).toEqual([]);
    expect(expected.CustomerStats!.length).toBeGreaterThan(0);
    expect(expected.CustomerTag!.length).toBeGreaterThan(0);
    expect(new Set(expected.DashboardDirtyDay!.map((r) => (r as { part: number }).part))).toEqual(new Set([1, 3]));
    for (const table of Object.keys(expected)) expect(actual[table], table).toEqual(expected[table]);
    expect(result).toMatchObject({ orders: summary.orders.length, products: summary.products.length, lines: expected.OrderLine!.length });
    expect(result.statsRefreshed).toBe(expected.CustomerStats!.length);
  });

  it("links orders naming their customer by id only; an unknown one gets a bare row (same with triggers on), which the real customer then fills", async () => {
    // As the orders bulk query selects them (`customer { id }`), loaded before any customer.
    const referencing = history.flatMap((c): NormalizedChange[] =>
      c.kind === "order.upsert" ? [{ kind: "order.upsert", order: c.order.customer ? { ...c.order, customer: null, customerRef: c.order.customer.platformId } : c.order }] : [],
    );
    const named = [...new Set(referencing.flatMap((c) => (c.kind === "order.upsert" && c.order.customerRef ? [c.order.customerRef] : [])))].sort();
    expect(named.length).toBeGreaterThan(50);
    const skipped = await newStore("refs-skipped-triggers");
    const triggered = await newStore("refs-with-triggers");
    const a = await bulkLoad(skipped, referencing, 250);
    const b = await bulkLoad(triggered, referencing, 250, { without: { skipForeignKeyChecks: true, returningOld: true } });
    expect([...a.unknownCustomers].sort()).toEqual(named);
    expect([...b.unknownCustomers].sort()).toEqual(named);
    const bare = await snapshot(skipped);
    // The merge writes the dashboard marks (part 3: the bare rows' creation day) the triggers would.
    expect(await snapshot(triggered)).toEqual(bare);
    expect(bare.DashboardDirtyDay!.some((r) => (r as { part: number }).part === 3)).toBe(true);
    expect(bare.Customer!.map((r) => (r as { platformId: string }).platformId)).toEqual(named);
    for (const row of bare.Customer as Record<string, unknown>[]) expect(row).toMatchObject({ email: null, firstName: null, platformUpdatedAt: null, tags: [] });
    expect(bare.Order!.filter((r) => (r as { customer: string | null }).customer !== null)).toHaveLength(referencing.filter((c) => c.kind === "order.upsert" && c.order.customerRef).length);

    // The customers then (a re-run's customers phase, or the fill-in): the rows are the real ones,
    // as if the customers had come first; the orders are not touched again.
    const customers = history.filter((c) => c.kind === "customer.upsert");
    await bulkLoad(skipped, customers, 250);
    const inOrder = await newStore("refs-customers-first");
    await bulkLoad(inOrder, [...customers, ...referencing], 250);
    const filled = await snapshot(skipped);
    const expected = await snapshot(inOrder);
    for (const table of ["Customer", "Order", "OrderLine", "Payment", "CustomerStats", "CustomerTag"]) expect(filled[table], table).toEqual(expected[table]);
    const again = await bulkLoad(skipped, referencing, 250);
    expect(again.unknownCustomers).toEqual([]);
    expect(await snapshot(skipped)).toEqual(filled);
  });

  it("never overwrites newer data, and a re-run changes nothing", async () => {
    const storeId = await newStore("newer-first");
    const newer = orders().slice(0, 20).map(newerVersion);
    await applyChanges(services.db, storeId, newer.map((order) => ({ kind: "order.upsert", order })));
    await bulkLoad(storeId, history, 300);
    const first = await snapshot(storeId);
    for (const order of newer) {
      const row = await services.db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId, platformId: order.platformId } }, include: { lines: true } });
      expect(row.totalMinor, `order ${order.platformId}`).toBe(order.totalMinor);
      expect(row.lines).toHaveLength(order.lines.length);
    }
    // The same history again (say, after a crash half-way): nothing moves, no duplicate events.
    await bulkLoad(storeId, history, 1000);
    expect(await snapshot(storeId)).toEqual(first);
  });

  it.each([
    ["", {}],
    [" (stats rebuilt set-based)", { setBasedStatsFrom: 1 }],
  ] as const)("runs while webhook batches write newer versions of the same orders%s", async (variant, opts) => {
    const storeId = await newStore(`concurrent${variant ? "-set" : ""}`);
    const all = orders();
    // Spread over the file, so the load meets them in several of its chunks.
    const newer = all.filter((_, i) => i % 7 === 0).map(newerVersion);
    const webhooks = (async () => {
      for (let i = 0; i < newer.length; i += 5) {
        await applyChanges(services.db, storeId, newer.slice(i, i + 5).map((order) => ({ kind: "order.upsert" as const, order })));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await Promise.all([bulkLoad(storeId, history, 100, opts), webhooks]);
    const rows = await services.db.order.findMany({ where: { storeId }, select: { platformId: true, totalMinor: true } });
    expect(rows).toHaveLength(all.length);
    const total = new Map(rows.map((r) => [r.platformId, r.totalMinor]));
    for (const order of newer) expect(total.get(order.platformId), `order ${order.platformId}`).toBe(order.totalMinor);
    // Stats agree with the orders they summarise, whichever writer came last.
    const [stats] = await services.db.$queryRaw<{ orders: bigint; counted: bigint }[]>(Prisma.sql`
      SELECT (SELECT coalesce(sum("ordersCount"), 0) FROM "CustomerStats" WHERE "storeId" = ${storeId})::bigint AS orders,
             (SELECT count(*) FROM "Order" WHERE "storeId" = ${storeId} AND "customerId" IS NOT NULL AND "cancelledAt" IS NULL AND NOT test
                AND "financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized'))::bigint AS counted`);
    expect(stats!.orders).toBe(stats!.counted);
  });

  it("COPYs in a second session while the first merges, yet commits chunks in order: the later copy of a tie wins, as with one session", async () => {
    // Orders of one chunk again at the start of the next, with the same platformUpdatedAt but
    // another total: the two chunks are in flight together, and whichever merges last is what
    // stays — only in-order merges leave the second copy.
    const CHUNK = 60;
    const first = Math.ceil(history.findIndex((c) => c.kind === "order.upsert") / CHUNK) * CHUNK;
    const originals = history.slice(first, first + 20);
    expect(originals.every((c) => c.kind === "order.upsert")).toBe(true);
    const repeated = originals.map((c) => (c.kind === "order.upsert" ? { kind: "order.upsert" as const, order: { ...c.order, totalMinor: c.order.totalMinor + 777n } } : c));
    const changes = [...history.slice(0, first + CHUNK), ...repeated, ...history.slice(first + CHUNK)];
    const results: Record<string, { committed: number[]; sessions: number }> = {};
    const stores: Record<string, number> = {};
    for (const [name, sessions] of [["one", 1], ["two", 2]] as const) {
      const storeId = (stores[name] = await newStore(`sessions-${name}`));
      const committed: number[] = [];
      let most = 0;
      await bulkLoad(storeId, changes, CHUNK, {
        sessions,
        onCommitted: async (n) => {
          committed.push(n);
          const [row] = await services.db.$queryRaw<{ n: number }[]>(
            Prisma.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'caderninho-bulk-load' AND datname = current_database()`,
          );
          most = Math.max(most, row!.n);
        },
      });
      results[name] = { committed, sessions: most };
    }
    expect(results.one!.sessions).toBe(1);
    expect(results.two!.sessions).toBe(2);
    // Every chunk reported once, in the order the objects came (full chunks, then the rest).
    for (const { committed } of Object.values(results)) {
      expect(committed.reduce((a, b) => a + b, 0)).toBe(changes.length);
      expect(committed.slice(0, -1).every((n) => n === CHUNK)).toBe(true);
    }
    for (const change of repeated) {
      if (change.kind !== "order.upsert") continue;
      const { order } = change;
      const row = await services.db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId: stores.two!, platformId: order.platformId } } });
      expect(row.totalMinor, `order ${order.platformId}`).toBe(order.totalMinor);
    }
    expect(await snapshot(stores.two!)).toEqual(await snapshot(stores.one!));
  });

  it("leaves a customer row untouched when a tie brings the same content, and applies a tie with new content", async () => {
    const storeId = await newStore("ties");
    const customers = history.filter((c) => c.kind === "customer.upsert");
    await bulkLoad(storeId, customers, 500);
    const versions = async () =>
      new Map(
        (await services.db.$queryRaw<{ platformId: string; v: string; locker: string; note: string | null }[]>(
          Prisma.sql`SELECT "platformId", xmin::text AS v, xmax::text AS locker, note FROM "Customer" WHERE "storeId" = ${storeId}`,
        )).map((r) => [r.platformId, r]),
      );
    const before = await versions();
    expect(before.size).toBe(customers.length);
    // The same customers again, with one changed at the same platformUpdatedAt (later wins ties).
    const changed = customers[3]!.kind === "customer.upsert" ? customers[3]!.customer : null;
    // Another with only its addresses changed (staged as JSON text, compared as jsonb).
    const moved = customers[4]!.kind === "customer.upsert" ? customers[4]!.customer : null;
    const address = { line1: "Rua Nova, 10", line2: null, city: "Recife", province: "PE", zip: "50000-000", country: "BR", phone: null, neighborhood: "Boa Vista" };
    const again: NormalizedChange[] = [
      ...customers,
      { kind: "customer.upsert", customer: { ...changed!, note: "nota nova" } },
      { kind: "customer.upsert", customer: { ...moved!, addresses: [...moved!.addresses, address] } },
    ];
    await bulkLoad(storeId, again, 500);
    const after = await versions();
    const addresses = await services.db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId, platformId: moved!.platformId } }, select: { addresses: true } });
    expect(addresses.addresses).toEqual([...moved!.addresses, address]);
    for (const [platformId, row] of after) {
      if (platformId === changed!.platformId || platformId === moved!.platformId) {
        if (platformId === changed!.platformId) expect(row.note).toBe("nota nova");
        expect(row.v).not.toBe(before.get(platformId)!.v);
      } else {
        expect(row.v, `customer ${platformId} rewritten`).toBe(before.get(platformId)!.v);
        // Not even locked: a probe drops the unchanged copies before the upsert sees them.
        expect(row.locker, `customer ${platformId} locked`).toBe("0");
      }
    }
  });

  it("moves a payment id seen under another order, as the batch writer does (the plain insert gives way to the upsert)", async () => {
    const [first, second] = orders().filter((o) => o.payments.length > 0);
    // The second order arrives carrying the first one's payment id.
    const stolen = { ...second!, payments: [{ ...second!.payments[0]!, platformId: first!.payments[0]!.platformId }] };
    const changes = (list: NormalizedOrder[]): NormalizedChange[] => list.map((order) => ({ kind: "order.upsert", order }));
    const viaBatches = await newStore("payment-moved-batches");
    const viaBulk = await newStore("payment-moved-bulk");
    await applyChanges(services.db, viaBatches, changes([first!]));
    await applyChanges(services.db, viaBatches, changes([stolen]));
    await applyChanges(services.db, viaBulk, changes([first!]));
    await bulkLoad(viaBulk, changes([stolen]), 100);
    const expected = await snapshot(viaBatches);
    expect(expected.Payment!.filter((p) => (p as { order: string }).order === stolen.platformId)).toHaveLength(1);
    expect(await snapshot(viaBulk)).toEqual(expected);
  });

  it("fails the load with the error of a chunk that fails while the other session copies, and leaves the other sessions closed", async () => {
    // The store is uninstalled (deleted) when the second chunk is reported, while the second
    // session holds the store (FOR KEY SHARE) for the chunk it is copying: the delete waits for
    // that chunk, so the report must not hold the merge turn (it once did: a hang). The next
    // chunk then finds no store, and that error is what the load ends with.
    const storeId = await newStore("deleted-mid-load");
    let chunks = 0;
    const loader = await openBulkLoad(services, storeId, {
      chunkSize: 50,
      onCommitted: async () => {
        if (++chunks === 2) await services.db.store.delete({ where: { id: storeId } });
      },
    });
    const run = (async () => {
      for (const change of history) await loader.add(change);
      return loader.finish();
    })();
    await expect(run).rejects.toThrow(/store \d+ does not exist/);
    await loader.close();
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(chunks).toBeLessThan(history.length / 50);
    const [open] = await services.db.$queryRaw<{ n: number }[]>(
      Prisma.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'caderninho-bulk-load' AND datname = current_database()`,
    );
    expect(open!.n).toBe(0);
    expect(await services.db.order.count({ where: { storeId } })).toBe(0);
    expect(await services.db.customer.count({ where: { storeId } })).toBe(0);
  });

  it("commits only the chunks before one whose merge fails: the chunk the other session has copied meanwhile is not merged", async () => {
    // One order of the third chunk is refused by the database (a CHECK on its platform id, for
    // this test only: checks hold whatever the session's replication role). The fourth chunk is
    // COPYed in the other session while the third merges; it must not be merged after the third
    // failed, so what the store holds is exactly the first two chunks, as with one session.
    const CHUNK = 50;
    const storeId = await newStore("failing-chunk");
    const first = history.findIndex((c) => c.kind === "order.upsert");
    const start = Math.ceil(first / CHUNK) * CHUNK;
    const refused = history[start + 2 * CHUNK + 5]!;
    if (refused.kind !== "order.upsert") throw new Error("test data: expected an order there");
    const before = history.slice(0, start + 2 * CHUNK).filter((c) => c.kind === "order.upsert").length;
    const constraint = `bulk_load_test_refuse_${storeId}`;
    await services.db.$executeRawUnsafe(`ALTER TABLE "Order" ADD CONSTRAINT ${constraint} CHECK ("storeId" <> ${storeId} OR "platformId" <> '${refused.order.platformId}') NOT VALID`);
    try {
      const committed: number[] = [];
      const loader = await openBulkLoad(services, storeId, { chunkSize: CHUNK, onCommitted: (n) => void committed.push(n) });
      const run = (async () => {
        for (const change of history) await loader.add(change);
        return loader.finish();
      })();
      await expect(run).rejects.toThrow(new RegExp(constraint));
      await loader.close();
      expect(await services.db.order.count({ where: { storeId } })).toBe(before);
      expect(committed.reduce((a, b) => a + b, 0)).toBe(start + 2 * CHUNK);
    } finally {
      await services.db.$executeRawUnsafe(`ALTER TABLE "Order" DROP CONSTRAINT ${constraint}`);
    }
  });

  it("refuses changes it does not load, naming them", async () => {
    const loader = await openBulkLoad(services, await newStore("refuses"), {});
    try {
      expect(() => loader.add({ kind: "order.delete", platformId: "1" })).toThrow(/order\.delete goes through applyChanges/);
    } finally {
      await loader.close();
    }
  });
});

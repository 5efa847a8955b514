// An erased customer stays erased when the platform still has them (an admin erasure: the shop
// keeps its customer) and a full resync runs: through the bulk loader (backfill/reconcile) and the
// batch writer (webhooks), the customer is not re-created, their orders come back anonymous and
// linked to the anonymous row, and no text column anywhere holds their name or e-mail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BULK_QUERIES, readBulkJsonl } from "../../adapters/shopify/bulk-operations.server.ts";
import { bulkSelection } from "../support/bulk-selection.ts";
import { normalizeBulkRecord } from "../../adapters/shopify/normalize-graphql.ts";
import { createGraphqlStore } from "../../adapters/shopify/simulator/render-graphql.ts";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { openBulkLoad } from "../../app/core/ingest/bulk-load.server.ts";
import { eraseCustomer } from "../../app/core/privacy/erase.server.ts";
import type { NormalizedChange } from "../../app/core/types.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { expectNoTrace } from "../support/privacy-helpers.ts";

let services: TestServices;
let changes: NormalizedChange[];
/** The same history as our bulk queries select it: orders name their customer by id only. */
let selectedChanges: NormalizedChange[];
const graphqlStore = createGraphqlStore({ seed: 19, customers: 60, shopDomain: "tombstone.myshopify.com" });

beforeAll(async () => {
  services = await startTestServices();
  const changesOf = async (selected: boolean) => {
    const lines: string[] = [];
    for (const root of ["products", "customers", "orders"] as const) {
      const selection = bulkSelection(BULK_QUERIES[root]);
      for (const line of graphqlStore.bulkLines(root)) lines.push(JSON.stringify(selected ? selection.project(line) : line));
    }
    const out: NormalizedChange[] = [];
    for await (const record of readBulkJsonl(new Blob([lines.join("\n")]).stream())) out.push(normalizeBulkRecord(record, { shopCurrency: "BRL" }));
    return out;
  };
  changes = await changesOf(false);
  selectedChanges = await changesOf(true);
  expect(selectedChanges.some((c) => c.kind === "order.upsert" && c.order.customerRef !== undefined)).toBe(true);
});
afterAll(async () => services?.cleanup());

async function bulkLoad(storeId: number, history = changes) {
  const loader = await openBulkLoad(services, storeId, { chunkSize: 500 });
  try {
    for (const c of history) await loader.add(c);
    return await loader.finish();
  } finally {
    await loader.close();
  }
}

async function eraseABuyer(storeId: number) {
  const { db } = services;
  const [buyer] = await db.$queryRaw<{ id: number; email: string; firstName: string; lastName: string; platformId: string }[]>`
    SELECT c.id, c.email, c."firstName", c."lastName", c."platformId" FROM "Customer" c
    WHERE c."storeId" = ${storeId} AND c.email IS NOT NULL AND c."firstName" IS NOT NULL AND c."lastName" IS NOT NULL
      AND EXISTS (SELECT 1 FROM "Order" o WHERE o."storeId" = c."storeId" AND o."customerId" = c.id)
    ORDER BY c.id LIMIT 1`;
  expect(buyer).toBeDefined();
  // Names shared with another customer of the simulated store would be found legitimately.
  const [shared] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Customer" WHERE "storeId" = ${storeId} AND id <> ${buyer!.id} AND ("firstName" = ${buyer!.firstName} OR "lastName" = ${buyer!.lastName})`;
  await eraseCustomer(services, storeId, buyer!.id, "test");
  return { buyer: buyer!, needles: shared!.n === 0 ? [buyer!.email, `${buyer!.firstName} ${buyer!.lastName}`] : [buyer!.email] };
}

describe("tombstones survive a resync", () => {
  it.each([
    ["orders embedding their customer", "tomb-bulk.myshopify.com", false],
    ["orders naming their customer by id (our bulk queries)", "tomb-bulk-ref.myshopify.com", true],
  ] as const)("bulk loader, %s: the erased customer is not re-created and their orders come back anonymous", async (_shape, domain, selected) => {
    const { db } = services;
    const history = selected ? selectedChanges : changes;
    const store = await db.store.create({ data: { platform: "shopify", domain, name: "bulk" } });
    const first = await bulkLoad(store.id, history);
    expect(first.unknownCustomers).toEqual([]);
    const customersBefore = await db.customer.count({ where: { storeId: store.id } });
    const ordersBefore = await db.order.aggregate({ where: { storeId: store.id }, _count: true, _sum: { totalMinor: true } });
    const { buyer, needles } = await eraseABuyer(store.id);
    const theirOrders = await db.order.count({ where: { storeId: store.id, customerId: buyer.id } });

    const resync = await bulkLoad(store.id, history); // full resync: the shop still has the customer
    expect(resync.unknownCustomers, "no bare row re-creates the erased customer").toEqual([]);
    expect(await db.customer.count({ where: { storeId: store.id } })).toBe(customersBefore);
    expect(await db.customer.count({ where: { storeId: store.id, platformId: buyer.platformId } })).toBe(0);
    const orders = await db.order.findMany({ where: { storeId: store.id, customerId: buyer.id }, include: { payments: true } });
    expect(orders).toHaveLength(theirOrders);
    expect(orders.every((o) => o.email === null && o.landingSite === null && o.payments.every((p) => p.boletoUrl === null && p.pixCode === null))).toBe(true);
    expect(await db.order.aggregate({ where: { storeId: store.id }, _count: true, _sum: { totalMinor: true } })).toEqual(ordersBefore);
    await expectNoTrace(services.databaseUrl, needles);
  });

  it("batch writer: the same for webhook-sized batches", async () => {
    const { db } = services;
    const store = await db.store.create({ data: { platform: "shopify", domain: "tomb-batch.myshopify.com", name: "batch" } });
    for (let i = 0; i < changes.length; i += 200) await applyChanges(db, store.id, changes.slice(i, i + 200));
    const customersBefore = await db.customer.count({ where: { storeId: store.id } });
    const { buyer, needles } = await eraseABuyer(store.id);
    for (let i = 0; i < changes.length; i += 200) await applyChanges(db, store.id, changes.slice(i, i + 200));
    expect(await db.customer.count({ where: { storeId: store.id } })).toBe(customersBefore);
    expect(await db.customer.count({ where: { storeId: store.id, platformId: buyer.platformId } })).toBe(0);
    expect(await db.order.count({ where: { storeId: store.id, customerId: buyer.id, email: { not: null } } })).toBe(0);
    await expectNoTrace(services.databaseUrl, needles);
  });
});

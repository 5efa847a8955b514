// The webhook job handler runs one store's batches one at a time per process and merges the
// batches that wait (app/jobs/webhook-process.server.ts, StoreBatches). What must hold with the
// real handler on a real PostgreSQL, when pg-boss hands it several batches at once that share
// customers (a customer's create, order, payment and update deliveries arrive close together) and
// mix two stores: every receipt is processed exactly once (attempts = 1), each store ends equal to
// the same deliveries applied serially, and the stores never mix.
import type { Job } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStoreSimulator, type SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { normalizeShopifyWebhook } from "../../adapters/shopify/normalize.ts";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { QUEUES, type WebhookJob } from "../../app/jobs/queues.ts";
import { flushWebhookEnqueues, receiveWebhook } from "../../app/jobs/webhook-intake.server.ts";
import { webhookBatchHandler } from "../../app/jobs/webhook-process.server.ts";
import { stateDigest } from "../support/state-digest.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => {
  await services?.cleanup();
});

async function newStore(domain: string): Promise<number> {
  return (await services.db.store.create({ data: { platform: "shopify", domain, name: domain, currency: "BRL" } })).id;
}

async function receiveAll(storeId: number, deliveries: SimulatedDelivery[]): Promise<void> {
  for (const d of deliveries) {
    await receiveWebhook(services, {
      storeId,
      platform: "shopify",
      topic: d.topic,
      dedupeKey: d.webhookId,
      resourceId: null,
      triggeredAt: new Date(d.triggeredAt),
      body: JSON.stringify(d.body),
    });
  }
}

async function applySerially(storeId: number, deliveries: SimulatedDelivery[]): Promise<void> {
  for (const d of deliveries) await applyChanges(services.db, storeId, [normalizeShopifyWebhook(d.topic, d.body, { shopCurrency: "BRL" })]);
}

describe("webhook batches of one store handed to the worker at once", () => {
  it("are applied exactly once, equal to a serial application, stores apart", async () => {
    const shopA = [...createStoreSimulator({ seed: 21, customers: 40, shopDomain: "a.myshopify.com" }).deliveries()];
    const shopB = [...createStoreSimulator({ seed: 22, customers: 12, shopDomain: "b.myshopify.com" }).deliveries()];
    const a = await newStore("a.myshopify.com");
    const b = await newStore("b.myshopify.com");
    await receiveAll(a, shopA);
    await receiveAll(b, shopB);
    await flushWebhookEnqueues(services);

    // Jobs as pg-boss hands them over: in receipt order, cut into 4 batches fetched at once, both stores mixed.
    const receipts = await services.db.webhookReceipt.findMany({ where: { storeId: { in: [a, b] } }, orderBy: { id: "asc" }, select: { id: true, storeId: true } });
    expect(receipts).toHaveLength(shopA.length + shopB.length);
    const jobs = receipts.map((r, i) => ({ id: `job-${i}`, name: QUEUES.webhookProcess, data: { storeId: r.storeId, receiptId: r.id.toString() } }) as Job<WebhookJob>);
    const interleaved = [...jobs.filter((j) => j.data.storeId === b), ...jobs.filter((j) => j.data.storeId === a)].sort((x, y) => Number(BigInt(x.data.receiptId) % 7n) - Number(BigInt(y.data.receiptId) % 7n));
    const size = Math.ceil(interleaved.length / 4);
    const handler = webhookBatchHandler(services);
    await Promise.all([0, 1, 2, 3].map((k) => handler(interleaved.slice(k * size, (k + 1) * size))));

    const status = await services.db.webhookReceipt.groupBy({ by: ["storeId", "status", "attempts"], where: { storeId: { in: [a, b] } }, _count: true, orderBy: [{ storeId: "asc" }, { status: "asc" }] });
    for (const s of status) {
      expect(["processed", "skipped"], `${s.storeId} ${s.status}`).toContain(s.status);
      expect(s.attempts, `receipts of store ${s.storeId} processed ${s.attempts} times`).toBe(1);
    }
    expect(status.reduce((n, s) => n + s._count, 0)).toBe(receipts.length);

    const refA = await newStore("ref-a.myshopify.com");
    const refB = await newStore("ref-b.myshopify.com");
    await applySerially(refA, shopA);
    await applySerially(refB, shopB);
    const [digestA, digestB] = [await stateDigest(services.db, a), await stateDigest(services.db, b)];
    expect(digestA.orders).toBeGreaterThan(0);
    expect(digestA).toEqual(await stateDigest(services.db, refA));
    expect(digestB).toEqual(await stateDigest(services.db, refB));
    expect(digestA.customersHash).not.toBe(digestB.customersHash);
  }, 120_000);
});

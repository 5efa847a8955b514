// Webhook faults with several real worker processes: duplicated and shuffled deliveries sent
// concurrently converge to the state of a clean serial run; a poison delivery that fails on every
// attempt goes to the dead-letter queue after its retries while the rest keep flowing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createStoreSimulator, type SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { createRng } from "../../adapters/shopify/simulator/random.ts";
import { postShopifyDelivery, sendDeliveries } from "../../app/demo/demo-store.server.ts";
import { QUEUES, type WebhookJob } from "../../app/jobs/queues.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { spawnWorker, waitFor, type WorkerProcess } from "../support/fault-worker.ts";
import { serialShopifyReference } from "../support/fault-reference.ts";
import { receiptAudit, stateDigest } from "../support/state-digest.ts";
import { POISON_MESSAGE, poisonCustomer } from "../support/fault-db.ts";

let app: TestApp;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  // Three worker processes, two batches at a time each: six handlers racing over the same queue.
  for (let i = 0; i < 3; i++) workers.push(spawnWorker(app.services.testDb.url, { WORKER_CONCURRENCY: "2", ENCRYPTION_KEY: app.services.secrets.encryptionKey }));
  await Promise.all(workers.map((w) => w.ready));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await app?.close();
});

const send = (shop: string, deliveries: SimulatedDelivery[], concurrency = 16) =>
  sendDeliveries(deliveries, (d) => postShopifyDelivery(`${app.url}/webhooks/shopify`, shop, app.services.secrets.shopifyWebhookSecret, d), { concurrency });

async function drained(storeId: number, timeoutMs = 300_000) {
  await waitFor(
    "the store's receipts to be handled",
    async () => (await app.services.db.webhookReceipt.count({ where: { storeId, status: "received" } })) === 0,
    timeoutMs,
    200,
  );
}

describe("webhook faults under concurrency", () => {
  it("duplicated and reordered deliveries end in the state of a clean serial run", async () => {
    const shop = "faults-dup.myshopify.com";
    const { db } = app.services;
    const store = await db.store.create({ data: { platform: "shopify", domain: shop, name: shop, currency: "BRL", timezone: "America/Sao_Paulo" } });
    const original = [...createStoreSimulator({ seed: 12, customers: 80, shopDomain: shop }).deliveries()];
    // Shuffle the whole history (Fisher–Yates, seeded) and deliver a third of it twice — Shopify
    // retries a delivery with the same webhook id when it did not see our 200 in time.
    const rng = createRng(99);
    const shuffled = [...original];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const stream = [...shuffled];
    for (const d of shuffled.filter(() => rng.uniform() < 1 / 3)) stream.splice(Math.floor(rng.uniform() * stream.length), 0, d);
    expect(await send(shop, stream, 24)).toEqual({ sent: stream.length, failed: 0 });
    await drained(store.id);

    const unique = new Set(original.map((d) => d.webhookId)).size;
    const audit = await receiptAudit(db, store.id);
    expect(audit.duplicateDeliveries).toBe(0);
    expect((audit.byStatus.processed ?? 0) + (audit.byStatus.skipped ?? 0), "every distinct delivery stored and processed").toBe(unique);
    expect(audit.byStatus.failed ?? 0).toBe(0);
    expect(audit.attemptsAboveOne, "no delivery processed twice").toBe(0);
    expect(await stateDigest(db, store.id)).toEqual(await serialShopifyReference({ domain: shop }, original));
  }, 480_000);

  it("a poison delivery is dead-lettered after its retries while the others keep flowing", async () => {
    const shop = "faults-poison.myshopify.com";
    const { db, boss } = app.services;
    const store = await db.store.create({ data: { platform: "shopify", domain: shop, name: shop, currency: "BRL", timezone: "America/Sao_Paulo" } });
    // Two retries one second apart instead of six with minutes of backoff (time compressed).
    await boss.updateQueue(QUEUES.webhookProcess, { retryLimit: 2, retryDelay: 1, retryBackoff: false });
    const deliveries = [...createStoreSimulator({ seed: 5, customers: 60, shopDomain: shop }).deliveries()];
    const victim = deliveries.find((d) => d.topic === "customers/create")!;
    const victimId = String((victim.body as { id: number }).id);
    await poisonCustomer(db, victimId);
    const poison: SimulatedDelivery = {
      topic: "customers/update",
      webhookId: "poison-1",
      triggeredAt: "2026-11-20T12:00:00-03:00",
      body: { ...(victim.body as object), updated_at: "2026-11-20T12:00:00-03:00", first_name: "Veneno" },
    };
    expect((await postShopifyDelivery(`${app.url}/webhooks/shopify`, shop, app.services.secrets.shopifyWebhookSecret, poison)).status).toBe(200);
    // The rest of the shop's history arrives while the poison is failing and being retried.
    const victimEmail = (victim.body as { email: string }).email;
    const others = deliveries.filter((d) => !JSON.stringify(d.body).includes(victimEmail));
    expect(await send(shop, others, 8)).toEqual({ sent: others.length, failed: 0 });

    const dead = await waitFor(
      "the poison job in the dead-letter queue",
      async () => {
        const jobs = await boss.findJobs<WebhookJob>(QUEUES.webhookDead, { data: { storeId: store.id } });
        return jobs.length ? jobs : undefined;
      },
      120_000,
      250,
    );
    const receipt = await db.webhookReceipt.findUniqueOrThrow({ where: { storeId_dedupeKey: { storeId: store.id, dedupeKey: "poison-1" } } });
    expect(dead.map((j) => j.data.receiptId)).toEqual([receipt.id.toString()]);
    expect(receipt.status).toBe("failed");
    expect(receipt.attempts, "first try + 2 retries").toBe(3);
    expect(receipt.error).toContain(POISON_MESSAGE);
    const [original] = await db.$queryRaw<{ state: string; retryCount: number }[]>(
      Prisma.sql`SELECT state::text AS state, retry_count AS "retryCount" FROM pgboss.job WHERE name = ${QUEUES.webhookProcess} AND data->>'receiptId' = ${receipt.id.toString()}`,
    );
    expect(original).toEqual({ state: "failed", retryCount: 2 });

    // Everything else flowed: no other receipt failed or waits, and the customer count is the
    // simulator's minus the poisoned one.
    await drained(store.id);
    const audit = await receiptAudit(db, store.id);
    expect(audit.byStatus.failed).toBe(1);
    expect(audit.byStatus.received ?? 0).toBe(0);
    expect(await db.customer.count({ where: { storeId: store.id, platformId: victimId } })).toBe(0);
    expect(await db.customer.count({ where: { storeId: store.id } })).toBeGreaterThan(40);
  }, 480_000);
});

// The "clean serial run" every fault test compares with: the same deliveries, on a fresh database,
// received and processed one at a time in the order given, with no worker, no concurrency and no
// fault. Its digest is what the faulted run must end equal to.
import type { SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { signShopifyWebhook } from "../../adapters/shopify/webhook-verify.ts";
import { handleShopifyWebhook } from "../../app/http/shopify-webhook.server.ts";
import { processReceipts } from "../../app/jobs/webhook-process.server.ts";
import { runShopifyBackfill } from "../../app/jobs/shopify-backfill.server.ts";
import { createAdminGraphql } from "../../adapters/shopify/admin-graphql.server.ts";
import type { StoreSimulatorOptions } from "../../adapters/shopify/simulator/index.ts";
import { startAdminSimulator } from "./shopify-admin-simulator.ts";
import { startWooSimulator, type WooSimulatorOptions } from "./woocommerce-simulator.ts";
import { ensureWooStore, saveWooCredentials } from "../../app/jobs/woocommerce-connection.server.ts";
import { runWooBackfill } from "../../app/jobs/woocommerce-backfill.server.ts";
import { createWooClient } from "../../adapters/woocommerce/rest-client.server.ts";
import { stateDigest, type StateDigest } from "./state-digest.ts";
import { startTestServices } from "./test-services.ts";

export interface ReferenceStore {
  domain: string;
  currency?: string;
  timezone?: string;
}

async function withReferenceStore(store: ReferenceStore, body: (services: Awaited<ReturnType<typeof startTestServices>>, storeId: number) => Promise<void>): Promise<StateDigest> {
  const services = await startTestServices();
  try {
    const row = await services.db.store.create({
      data: { platform: "shopify", domain: store.domain, name: store.domain, currency: store.currency ?? "BRL", timezone: store.timezone ?? "America/Sao_Paulo" },
    });
    await body(services, row.id);
    return await stateDigest(services.db, row.id);
  } finally {
    await services.cleanup();
  }
}

/** A clean backfill of the simulated shop (no faults, one pass) on a fresh database. */
export async function serialBackfillReference(store: ReferenceStore, simStore: StoreSimulatorOptions): Promise<StateDigest> {
  const sim = await startAdminSimulator({ store: simStore, accessToken: "shpat_reference" });
  try {
    return await withReferenceStore(store, async (services, storeId) => {
      const client = createAdminGraphql({ shop: store.domain, accessToken: "shpat_reference", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
      await runShopifyBackfill(services, storeId, { client, pollIntervalMs: 10 });
    });
  } finally {
    await sim.close();
  }
}

/** A clean WooCommerce import of the simulated shop (no faults, one pass) on a fresh database. */
export async function serialWooBackfillReference(simOptions: WooSimulatorOptions, name: string): Promise<StateDigest> {
  const sim = await startWooSimulator(simOptions);
  const services = await startTestServices();
  try {
    const store = await ensureWooStore(services, sim.url, name);
    await saveWooCredentials(services, store.id, { consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret });
    const client = createWooClient({ url: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret, baseDelayMs: 1, maxDelayMs: 5 });
    const result = await runWooBackfill(services, store.id, { client, webhooks: false });
    if (result.status !== "done") throw new Error(`reference WooCommerce backfill ended ${result.status}`);
    return await stateDigest(services.db, store.id);
  } finally {
    await services.cleanup();
    await sim.close();
  }
}

export function shopifyHeaders(shop: string, secret: string, d: SimulatedDelivery, raw: string): Headers {
  return new Headers({
    "Content-Type": "application/json",
    "X-Shopify-Topic": d.topic,
    "X-Shopify-Shop-Domain": shop,
    "X-Shopify-Hmac-Sha256": signShopifyWebhook(raw, secret),
    "X-Shopify-Webhook-Id": d.webhookId,
    "X-Shopify-Triggered-At": d.triggeredAt,
  });
}

/** Receive and process each delivery in turn on a fresh database; returns that store's digest. */
export async function serialShopifyReference(store: ReferenceStore, deliveries: Iterable<SimulatedDelivery>): Promise<StateDigest> {
  return withReferenceStore(store, async (services, storeId) => {
    const secret = services.secrets.shopifyWebhookSecret;
    for (const d of deliveries) {
      const raw = JSON.stringify(d.body);
      const res = await handleShopifyWebhook(services, shopifyHeaders(store.domain, secret, d, raw), Buffer.from(raw));
      if (res.status !== 200) throw new Error(`reference run: ${d.topic} ${d.webhookId} answered ${res.status}`);
      const receipt = await services.db.webhookReceipt.findUnique({ where: { storeId_dedupeKey: { storeId, dedupeKey: d.webhookId } }, select: { id: true } });
      if (receipt) await processReceipts(services, storeId, [receipt.id]);
    }
  });
}

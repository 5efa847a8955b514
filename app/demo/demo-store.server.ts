// The standalone demo: a simulated Shopify shop whose history reaches caderninho the way a real
// shop's does — as signed webhook deliveries POSTed to /webhooks/shopify — never as rows written
// straight into tables. Tests use the same simulator and the same sender.
import type { Store } from "@prisma/client";
import { createStoreSimulator, type SimulatedDelivery } from "#adapters/shopify/simulator/index.ts";
import { signShopifyWebhook } from "#adapters/shopify/webhook-verify.ts";
import { enqueueRescore } from "#app/jobs/rescore.server.ts";
import { requestCrossSellMine } from "#app/jobs/crosssell-mine.server.ts";
import { finishSyncRun, reportSyncProgress, startSyncRun } from "#app/core/sync/sync-runs.server.ts";
import type { Services } from "#app/server/services.server.ts";
import { SHOPIFY_WEBHOOK_API_VERSION } from "#adapters/shopify/constants.ts";

export const DEMO_SHOP_DOMAIN = "caderninho-demo.myshopify.com";

export async function ensureDemoStore(services: Services): Promise<Store> {
  return services.db.store.upsert({
    where: { platform_domain: { platform: "shopify", domain: DEMO_SHOP_DOMAIN } },
    create: {
      platform: "shopify",
      domain: DEMO_SHOP_DOMAIN,
      name: "Loja Demo caderninho",
      currency: "BRL",
      timezone: "America/Sao_Paulo",
      locale: "pt-BR",
      country: "BR",
      isDemo: true,
    },
    update: {},
  });
}

/** One delivery as Shopify sends it: the JSON body and its headers (HMAC of exactly these bytes). */
export function renderShopifyDelivery(shop: string, secret: string, d: SimulatedDelivery): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(d.body);
  return {
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": d.topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Hmac-Sha256": signShopifyWebhook(body, secret),
      "X-Shopify-Webhook-Id": d.webhookId,
      "X-Shopify-Triggered-At": d.triggeredAt,
      "X-Shopify-API-Version": SHOPIFY_WEBHOOK_API_VERSION,
    },
    body,
  };
}

/** POST one delivery to a Shopify webhook endpoint exactly as Shopify does (headers + HMAC). */
export async function postShopifyDelivery(endpoint: string, shop: string, secret: string, d: SimulatedDelivery): Promise<Response> {
  const { headers, body } = renderShopifyDelivery(shop, secret, d);
  return fetch(endpoint, { method: "POST", headers, body });
}

/**
 * Send every delivery with bounded concurrency, retrying 5xx and network errors with backoff as
 * Shopify does. Parallel sends can arrive out of order, like real deliveries; the pipeline must
 * (and does) converge regardless.
 */
export async function sendDeliveries<D = SimulatedDelivery>(
  deliveries: Iterable<D>,
  send: (d: D) => Promise<Pick<Response, "ok" | "status">>,
  opts: { concurrency?: number; onSent?: (n: number) => void; signal?: AbortSignal } = {},
): Promise<{ sent: number; failed: number }> {
  const concurrency = opts.concurrency ?? 16;
  const iterator = deliveries[Symbol.iterator]();
  let sent = 0;
  let failed = 0;
  const worker = async () => {
    for (let next = iterator.next(); !next.done && !opts.signal?.aborted; next = iterator.next()) {
      const d = next.value;
      let res: Pick<Response, "ok" | "status"> | null = null;
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          res = await send(d);
          if (res.ok || (res.status >= 400 && res.status < 500)) break;
        } catch {
          res = null;
        }
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
      if (res?.ok) sent++;
      else failed++;
      opts.onSent?.(sent + failed);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent, failed };
}

/**
 * Fill the demo store once: replay the simulated shop's history into the running app and track it
 * as a backfill run (the dashboard shows its progress). Does nothing if a backfill already ran.
 */
export async function seedDemoStore(services: Services, appUrl: string, signal?: AbortSignal): Promise<void> {
  const { db, config, log } = services;
  const store = await ensureDemoStore(services);
  const previous = await db.syncRun.findFirst({ where: { storeId: store.id, kind: "backfill", status: { in: ["done", "running"] } } });
  if (previous?.status === "done") return;
  if (previous) await db.syncRun.update({ where: { storeId_id: { storeId: store.id, id: previous.id } }, data: { status: "failed", error: "interrupted" } });

  const simulator = createStoreSimulator({ seed: config.DEMO_SEED, customers: config.DEMO_CUSTOMERS, shopDomain: DEMO_SHOP_DOMAIN, currency: store.currency });
  const total = simulator.summary().deliveries;
  const run = await startSyncRun(db, store.id, "backfill", total);
  const started = Date.now();
  log.info({ deliveries: total }, "filling the demo store through the webhook pipeline");
  const countProcessed = () => db.webhookReceipt.count({ where: { storeId: store.id, status: { not: "received" } } });
  const ticker = setInterval(() => {
    countProcessed().then((n) => reportSyncProgress(db, run, n)).catch(() => {});
  }, 1000);
  try {
    const endpoint = `${appUrl}/webhooks/shopify`;
    const result = await sendDeliveries(simulator.deliveries(), (d) => postShopifyDelivery(endpoint, DEMO_SHOP_DOMAIN, services.secrets.shopifyWebhookSecret, d), { signal });
    if (signal?.aborted) throw new Error("interrupted by shutdown; the next start resumes it");
    // Wait for the worker to catch up before calling the import done.
    for (let processed = await countProcessed(); processed < result.sent && !signal?.aborted; processed = await countProcessed()) {
      await new Promise((r) => setTimeout(r, 500));
    }
    await reportSyncProgress(db, run, await countProcessed(), result.failed);
    await finishSyncRun(db, run, result.failed ? `${result.failed} deliveries were refused` : undefined);
    log.info({ ...result, seconds: (Date.now() - started) / 1000 }, "demo store filled");
    // Score it now (RFM, predictions, clusters) rather than at the nightly run.
    await enqueueRescore(services.boss, store.id);
    // …and mine its "compre junto" pairs, so the storefront block has something to show.
    await requestCrossSellMine(services, store.id);
  } catch (e) {
    await finishSyncRun(db, run, e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    clearInterval(ticker);
  }
}

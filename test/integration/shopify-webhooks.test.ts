// The Shopify webhook path over real HTTP: verification and bad input first, then a simulated
// shop's whole history (signed deliveries, sent in parallel and so partly out of order) must land
// as exactly the customers, orders, money and unpaid boletos the simulator says it produced.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createStoreSimulator, type SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { signShopifyWebhook } from "../../adapters/shopify/webhook-verify.ts";
import { ensureDemoStore, DEMO_SHOP_DOMAIN, postShopifyDelivery, sendDeliveries } from "../../app/demo/demo-store.server.ts";
import { bulkFinishReceived } from "../../app/jobs/shopify-backfill.server.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

let app: TestApp;
let endpoint: string;
let secret: string;

beforeAll(async () => {
  app = await startTestApp();
  endpoint = `${app.url}/webhooks/shopify`;
  secret = app.services.secrets.shopifyWebhookSecret;
  await ensureDemoStore(app.services);
});
afterAll(async () => app?.close());

const customerDelivery = (id: number, updatedAt: string, firstName: string): SimulatedDelivery => ({
  topic: "customers/update",
  webhookId: `wh-${id}-${updatedAt}`,
  triggeredAt: updatedAt,
  body: {
    id,
    email: `cliente${id}@example.com.br`,
    first_name: firstName,
    last_name: "Silva",
    created_at: "2026-01-01T10:00:00-03:00",
    updated_at: updatedAt,
    tags: "",
    currency: "BRL",
    addresses: [],
    default_address: { city: "Campinas", province_code: "SP", country_code: "BR", zip: "13010-000" },
    email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-01-01T10:00:00-03:00" },
  },
});

describe("Shopify webhook receiver", () => {
  it("rejects a bad HMAC with 401 and stores nothing", async () => {
    const d = customerDelivery(900001, "2026-03-01T10:00:00-03:00", "Ana");
    const body = JSON.stringify(d.body);
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": d.topic,
        "X-Shopify-Shop-Domain": DEMO_SHOP_DOMAIN,
        "X-Shopify-Webhook-Id": d.webhookId,
        "X-Shopify-Hmac-Sha256": signShopifyWebhook(body, "not-the-secret"),
      },
      body,
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/HMAC/);
    const missing = await fetch(endpoint, { method: "POST", headers: { "X-Shopify-Topic": d.topic }, body });
    expect(missing.status).toBe(401);
    expect(await app.services.db.webhookReceipt.count()).toBe(0);
  });

  it("keeps an idle keep-alive connection open past Node's 5 s default, so a sender reusing it gets an answer", async () => {
    // A sender (Shopify, a load balancer) reusing a socket the server has just closed gets a reset
    // with no status. The server advertises its longer idle timeout and honours it.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = () =>
      new Promise<{ status: number; keepAlive: unknown; reused: boolean }>((resolve, reject) => {
        const req = http.request(endpoint, { method: "POST", agent, headers: { "Content-Type": "application/json", "X-Shopify-Topic": "customers/update" } }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, keepAlive: res.headers["keep-alive"], reused: req.reusedSocket }));
        });
        req.on("error", reject);
        req.end("{}");
      });
    try {
      const first = await post();
      expect(first).toMatchObject({ status: 401, keepAlive: "timeout=65", reused: false });
      await new Promise((r) => setTimeout(r, 5_500));
      expect(await post()).toMatchObject({ status: 401, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it("rejects malformed and oversized JSON with 400 and a reason, storing nothing", async () => {
    const send = (body: string) =>
      fetch(endpoint, {
        method: "POST",
        headers: {
          "X-Shopify-Topic": "orders/create",
          "X-Shopify-Shop-Domain": DEMO_SHOP_DOMAIN,
          "X-Shopify-Webhook-Id": `bad-${body.length}`,
          "X-Shopify-Hmac-Sha256": signShopifyWebhook(body, secret),
        },
        body,
      });
    const malformed = await send('{"id": 1, "total_price": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toMatch(/not valid JSON/);
    const notObject = await send("[1,2,3]");
    expect(notObject.status).toBe(400);
    const huge = await send(JSON.stringify({ id: 1, note: "x".repeat(app.services.config.WEBHOOK_MAX_BYTES) }));
    expect(huge.status).toBe(400);
    expect(await huge.text()).toMatch(/larger than/);
    // Chunked, with no Content-Length to refuse up front: the limit must hold while streaming.
    const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
    let sent = 0;
    const limit = app.services.config.WEBHOOK_MAX_BYTES;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > limit) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const chunked = await fetch(endpoint, {
      method: "POST",
      headers: { "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": DEMO_SHOP_DOMAIN, "X-Shopify-Webhook-Id": "chunked", "X-Shopify-Hmac-Sha256": "x" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(400);
    expect(await chunked.text()).toMatch(/larger than/);
    expect(await app.services.db.webhookReceipt.count()).toBe(0);
  });

  it("processes a duplicate delivery once and lets the newest update win whatever the arrival order", async () => {
    const store = await ensureDemoStore(app.services);
    const newer = customerDelivery(900002, "2026-05-02T10:00:00-03:00", "Beatriz");
    const older = customerDelivery(900002, "2026-05-01T10:00:00-03:00", "Bia");
    for (const d of [newer, newer, older, newer]) {
      const res = await postShopifyDelivery(endpoint, DEMO_SHOP_DOMAIN, secret, d);
      expect(res.status).toBe(200);
    }
    await app.drain();
    expect(await app.services.db.webhookReceipt.count({ where: { storeId: store.id } })).toBe(2); // two distinct webhook ids
    const c = await app.services.db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: "900002" } } });
    expect(c.firstName).toBe("Beatriz");
    expect(c.email).toBe("cliente900002@example.com.br");
    expect(c.city).toBe("Campinas");
    expect(c.acceptsEmailMarketing).toBe(true);
  });

  it("lands a simulated shop's whole history with the right counts and money", async () => {
    const { db } = app.services;
    const store = await ensureDemoStore(app.services);
    await db.customer.deleteMany({ where: { storeId: store.id } });
    const sim = createStoreSimulator({ seed: 7, customers: 150, shopDomain: DEMO_SHOP_DOMAIN });
    const expected = sim.summary();
    const result = await sendDeliveries(sim.deliveries(), (d) => postShopifyDelivery(endpoint, DEMO_SHOP_DOMAIN, secret, d), { concurrency: 8 });
    expect(result).toEqual({ sent: expected.deliveries, failed: 0 });
    await app.drain();
    const failed = await db.webhookReceipt.findMany({ where: { storeId: store.id, status: "failed" }, select: { topic: true, error: true } });
    expect([...new Set(failed.map((f) => `${f.topic}: ${f.error}`))]).toEqual([]);

    const storeId = store.id;
    expect(await db.product.count({ where: { storeId } }), "products").toBe(expected.products);
    expect(await db.customer.count({ where: { storeId } }), "customers").toBe(expected.customers);
    expect(await db.order.count({ where: { storeId } }), "orders").toBe(expected.orders);
    expect(await db.order.count({ where: { storeId, customerId: null } }), "guest orders").toBe(expected.guestOrders);
    expect(await db.order.count({ where: { storeId, cancelledAt: { not: null } } }), "cancelled").toBe(expected.cancelledOrders);
    const [money] = await db.$queryRaw<{ revenue: bigint; refunded: bigint }[]>(Prisma.sql`
      SELECT coalesce(sum("totalMinor") FILTER (WHERE "cancelledAt" IS NULL), 0)::bigint AS revenue,
             coalesce(sum("refundedMinor"), 0)::bigint AS refunded
      FROM "Order" WHERE "storeId" = ${storeId}`);
    expect(money!.revenue, "revenue").toBe(expected.revenueMinor);
    expect(money!.refunded, "refunded").toBe(expected.refundedMinor);
    for (const method of ["card", "boleto", "pix", "other"] as const) {
      expect(await db.order.count({ where: { storeId, paymentMethod: method } }), method).toBe(expected.ordersByPaymentMethod[method]);
    }
    expect(await db.payment.count({ where: { storeId, method: "boleto", status: { in: ["pending", "expired"] } } }), "unpaid boletos").toBe(expected.boletosUnpaid);
    expect(await db.checkout.count({ where: { storeId, completedAt: null } }), "abandoned checkouts").toBe(expected.abandonedCheckouts);
    // Lines add up: Σ unit price × quantity is the order's subtotal (before discounts).
    const [lines] = await db.$queryRaw<{ mismatched: number }[]>(Prisma.sql`
      SELECT count(*)::int AS mismatched FROM (
        SELECT o.id FROM "Order" o JOIN "OrderLine" l ON l."storeId" = o."storeId" AND l."orderId" = o.id
        WHERE o."storeId" = ${storeId}
        GROUP BY o.id, o."subtotalMinor" HAVING sum(l."unitPriceMinor" * l.quantity) <> o."subtotalMinor") x`);
    expect(lines!.mismatched, "orders whose lines do not add up").toBe(0);
    // Customer stats agree with the orders they summarise.
    const repeat = await db.customerStats.count({ where: { storeId, ordersCount: { gte: 2 } } });
    expect(repeat).toBeGreaterThan(0);
  });

  it("records bulk_operations/finish (waking a waiting sync) and compliance topics without applying anything", async () => {
    const store = await ensureDemoStore(app.services);
    const operation = "gid://shopify/BulkOperation/98765";
    const deliveries: SimulatedDelivery[] = [
      {
        topic: "bulk_operations/finish",
        webhookId: "wh-bulk-98765",
        triggeredAt: "2026-11-23T12:00:00Z",
        body: { admin_graphql_api_id: operation, completed_at: "2026-11-23T12:00:00Z", created_at: "2026-11-23T11:58:00Z", error_code: null, status: "completed", type: "query" },
      },
      { topic: "customers/data_request", webhookId: "wh-dr-1", triggeredAt: "2026-11-23T12:00:00Z", body: { shop_id: 1, shop_domain: DEMO_SHOP_DOMAIN, customer: { id: 900002 }, orders_requested: [] } },
    ];
    expect(await bulkFinishReceived(app.services.db, store.id, operation)).toBe(false);
    for (const d of deliveries) expect((await postShopifyDelivery(endpoint, DEMO_SHOP_DOMAIN, secret, d)).status).toBe(200);
    await app.drain();
    expect(await bulkFinishReceived(app.services.db, store.id, operation)).toBe(true);
    const receipts = await app.services.db.webhookReceipt.findMany({ where: { storeId: store.id, dedupeKey: { in: ["wh-bulk-98765", "wh-dr-1"] } }, orderBy: { id: "asc" } });
    expect(receipts.map((r) => [r.topic, r.resourceId, r.status === "received"])).toEqual([
      ["bulk_operations/finish", operation, false],
      ["customers/data_request", null, false],
    ]);
  });
});

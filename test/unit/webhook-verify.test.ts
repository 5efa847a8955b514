import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { signShopifyWebhook, verifyShopifyWebhook } from "../../adapters/shopify/webhook-verify.ts";

const secret = "hush";
const body = Buffer.from(JSON.stringify({ id: 1, email: "ana@example.com" }));
const headers = (hmac: string, extra: Record<string, string> = {}) =>
  new Headers({
    "X-Shopify-Hmac-Sha256": hmac,
    "X-Shopify-Topic": "customers/create",
    "X-Shopify-Shop-Domain": "Loja.myshopify.com",
    "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    "X-Shopify-API-Version": "2026-10",
    ...extra,
  });

describe("Shopify webhook HMAC", () => {
  it("signs like Shopify: base64 HMAC-SHA256 of the raw body", () => {
    expect(signShopifyWebhook(body, secret)).toBe(createHmac("sha256", secret).update(body).digest("base64"));
  });

  it("accepts a correctly signed delivery and reads its headers", () => {
    const r = verifyShopifyWebhook(headers(signShopifyWebhook(body, secret)), body, secret);
    expect(r).toEqual({
      ok: true,
      topic: "customers/create",
      shop: "loja.myshopify.com",
      webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      apiVersion: "2026-10",
      triggeredAt: null,
      eventId: null,
    });
  });

  it("rejects a wrong secret, a tampered body, a truncated or missing signature with 401", () => {
    const good = signShopifyWebhook(body, secret);
    expect(verifyShopifyWebhook(headers(signShopifyWebhook(body, "other")), body, secret)).toMatchObject({ ok: false, status: 401 });
    expect(verifyShopifyWebhook(headers(good), Buffer.from(body.toString().replace("ana", "eve")), secret)).toMatchObject({ ok: false, status: 401 });
    expect(verifyShopifyWebhook(headers(good.slice(0, 20)), body, secret)).toMatchObject({ ok: false, status: 401 });
    const h = headers(good);
    h.delete("X-Shopify-Hmac-Sha256");
    expect(verifyShopifyWebhook(h, body, secret)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/missing/) });
  });

  it("rejects a signed delivery without topic, shop or id with 400", () => {
    const h = headers(signShopifyWebhook(body, secret));
    h.delete("X-Shopify-Webhook-Id");
    expect(verifyShopifyWebhook(h, body, secret)).toMatchObject({ ok: false, status: 400 });
  });

  it("accepts Shopify's un-prefixed event-delivery headers", () => {
    const h = new Headers({
      "shopify-hmac-sha256": signShopifyWebhook(body, secret),
      "shopify-topic": "orders/create",
      "shopify-shop-domain": "loja.myshopify.com",
      "shopify-event-id": "evt-1",
    });
    expect(verifyShopifyWebhook(h, body, secret)).toMatchObject({ ok: true, topic: "orders/create", webhookId: "evt-1" });
  });
});

// Shopify webhook authentication: HMAC-SHA256 of the raw body with the app's secret, base64, in
// X-Shopify-Hmac-Sha256. Compared in constant time, before anything else is read or stored.
import { createHmac, timingSafeEqual } from "node:crypto";

export function signShopifyWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

export interface ShopifyWebhookHeaders {
  topic: string;
  shop: string;
  webhookId: string;
  apiVersion: string | null;
  triggeredAt: string | null;
  eventId: string | null;
}

export type ShopifyVerifyResult = ({ ok: true } & ShopifyWebhookHeaders) | { ok: false; status: 400 | 401; reason: string };

// Shopify's classic deliveries use X-Shopify-*; its newer "events" deliveries the same names
// without the X- prefix. Accept both.
function header(headers: Headers, name: string): string | null {
  return headers.get(`x-shopify-${name}`) ?? headers.get(`shopify-${name}`);
}

export function verifyShopifyWebhook(headers: Headers, rawBody: Buffer, secret: string): ShopifyVerifyResult {
  const given = header(headers, "hmac-sha256");
  if (!given) return { ok: false, status: 401, reason: "missing X-Shopify-Hmac-Sha256 header" };
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const givenBytes = Buffer.from(given, "base64");
  if (givenBytes.length !== expected.length || !timingSafeEqual(givenBytes, expected)) {
    return { ok: false, status: 401, reason: "invalid HMAC signature" };
  }
  const topic = header(headers, "topic");
  const shop = header(headers, "shop-domain");
  const webhookId = header(headers, "webhook-id") ?? header(headers, "event-id");
  if (!topic || !shop || !webhookId) {
    return { ok: false, status: 400, reason: "missing X-Shopify-Topic, X-Shopify-Shop-Domain or X-Shopify-Webhook-Id header" };
  }
  return {
    ok: true,
    topic: topic.toLowerCase(),
    shop: shop.toLowerCase(),
    webhookId,
    apiVersion: header(headers, "api-version"),
    triggeredAt: header(headers, "triggered-at"),
    eventId: header(headers, "event-id"),
  };
}

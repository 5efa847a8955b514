// WooCommerce webhook authentication and headers (plugins/woocommerce/includes/class-wc-webhook.php):
// X-WC-Webhook-Signature = base64(HMAC-SHA256(raw body, the webhook's secret)), compared in constant
// time before anything is parsed or stored. On creation WooCommerce POSTs a form-encoded ping
// (`webhook_id=N`, no signature) and activates the webhook only if it gets a 2xx.
import { createHmac, timingSafeEqual } from "node:crypto";

export function signWooWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

export interface WooWebhookHeaders {
  topic: string;
  resource: string;
  event: string;
  webhookId: string | null;
  deliveryId: string | null;
  source: string | null;
}

export type WooVerifyResult = ({ ok: true } & WooWebhookHeaders) | { ok: false; status: 400 | 401; reason: string };

/** The creation ping: `webhook_id=<digits>` as a form body, without signature headers. */
export function parseWooPing(headers: Headers, raw: Buffer): number | null {
  if (headers.get("x-wc-webhook-signature")) return null;
  const m = /^webhook_id=(\d{1,20})$/.exec(raw.toString("utf8").trim());
  return m ? Number(m[1]) : null;
}

export function verifyWooWebhook(headers: Headers, raw: Buffer, secret: string): WooVerifyResult {
  const given = headers.get("x-wc-webhook-signature");
  if (!given) return { ok: false, status: 401, reason: "missing X-WC-Webhook-Signature header" };
  const expected = createHmac("sha256", secret).update(raw).digest();
  const givenBytes = Buffer.from(given, "base64");
  if (givenBytes.length !== expected.length || !timingSafeEqual(givenBytes, expected)) {
    return { ok: false, status: 401, reason: "invalid X-WC-Webhook-Signature" };
  }
  const topic = headers.get("x-wc-webhook-topic")?.trim().toLowerCase();
  if (!topic) return { ok: false, status: 400, reason: "missing X-WC-Webhook-Topic header" };
  const [resource = "", event = ""] = topic.split(".");
  return {
    ok: true,
    topic,
    resource: headers.get("x-wc-webhook-resource")?.toLowerCase() || resource,
    event: headers.get("x-wc-webhook-event")?.toLowerCase() || event,
    webhookId: headers.get("x-wc-webhook-id"),
    deliveryId: headers.get("x-wc-webhook-delivery-id"),
    source: headers.get("x-wc-webhook-source"),
  };
}

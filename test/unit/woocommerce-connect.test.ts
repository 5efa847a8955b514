// The signed user_id that ties WooCommerce's unsigned key callback to the store being connected,
// and the authorisation URL built around it.
import { describe, expect, it } from "vitest";
import { authorizeUrl, CONNECT_TOKEN_TTL_SECONDS, signConnectToken, verifyConnectToken } from "../../adapters/woocommerce/connect.ts";
import { parseWooPing, signWooWebhook, verifyWooWebhook } from "../../adapters/woocommerce/webhook-verify.ts";

const SECRET = "a-session-secret-of-at-least-32-characters";

describe("connect token", () => {
  it("round-trips, and names the store it was issued for", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    const { token, nonce } = signConnectToken(42, SECRET, now);
    expect(verifyConnectToken(token, SECRET, now + 60_000)).toEqual({ ok: true, storeId: 42, nonce });
    expect(signConnectToken(42, SECRET, now).token).not.toBe(token); // a fresh nonce every time
  });

  it("refuses expired, tampered, foreign-secret and malformed tokens", () => {
    const now = Date.parse("2026-11-23T12:00:00Z");
    const { token } = signConnectToken(42, SECRET, now);
    expect(verifyConnectToken(token, SECRET, now + (CONNECT_TOKEN_TTL_SECONDS + 1) * 1000)).toEqual({ ok: false, reason: "the connection request expired: start again" });
    expect(verifyConnectToken(token.replace(/^42\./, "43."), SECRET, now)).toMatchObject({ ok: false, reason: "user_id signature does not match" });
    expect(verifyConnectToken(token, "another-secret-another-secret-another", now)).toMatchObject({ ok: false });
    expect(verifyConnectToken("42", SECRET, now)).toEqual({ ok: false, reason: "malformed user_id" });
  });

  it("builds the /wc-auth/v1/authorize URL with every mandatory parameter", () => {
    const url = new URL(authorizeUrl({ siteUrl: "https://loja.example.com.br/shop/", appName: "caderninho", token: "t", returnUrl: "https://app/x", callbackUrl: "https://app/cb" }));
    expect(url.origin + url.pathname).toBe("https://loja.example.com.br/shop/wc-auth/v1/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({ app_name: "caderninho", scope: "read_write", user_id: "t", return_url: "https://app/x", callback_url: "https://app/cb" });
  });
});

describe("webhook signature and ping", () => {
  const body = Buffer.from('{"id":5,"link":"https:\\/\\/loja\\/p\\/5"}');
  const headers = (sig: string) => new Headers({ "X-WC-Webhook-Signature": sig, "X-WC-Webhook-Topic": "order.updated", "X-WC-Webhook-Delivery-ID": "d1", "X-WC-Webhook-ID": "3" });

  it("accepts the base64 HMAC-SHA256 of the exact raw bytes, and nothing else", () => {
    expect(verifyWooWebhook(headers(signWooWebhook(body, "s3cret")), body, "s3cret")).toMatchObject({ ok: true, topic: "order.updated", resource: "order", event: "updated", deliveryId: "d1", webhookId: "3" });
    // Re-serialised JSON (slashes unescaped) is different bytes: refused.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(verifyWooWebhook(headers(signWooWebhook(body, "s3cret")), reserialised, "s3cret")).toMatchObject({ ok: false, status: 401 });
    expect(verifyWooWebhook(headers(signWooWebhook(body, "other")), body, "s3cret")).toMatchObject({ ok: false, status: 401 });
    expect(verifyWooWebhook(new Headers(), body, "s3cret")).toMatchObject({ ok: false, status: 401, reason: "missing X-WC-Webhook-Signature header" });
  });

  it("recognises the creation ping only as an unsigned webhook_id form body", () => {
    expect(parseWooPing(new Headers(), Buffer.from("webhook_id=17"))).toBe(17);
    expect(parseWooPing(new Headers({ "X-WC-Webhook-Signature": "x" }), Buffer.from("webhook_id=17"))).toBeNull();
    expect(parseWooPing(new Headers(), Buffer.from('{"webhook_id":17}'))).toBeNull();
  });
});

// WooCommerce's app authorisation (/wc-auth/v1/authorize): the merchant approves in wp-admin and
// WooCommerce POSTs the new keys to our callback_url — without any signature. The only thing tying
// that POST to the store being connected is the `user_id` we chose, so it is a signed, expiring,
// single-use token: "<storeId>.<expires>.<nonce>.<hmac>" (HMAC-SHA256 with the app's session secret).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const CONNECT_TOKEN_TTL_SECONDS = 30 * 60;

export interface AuthorizeRequest {
  siteUrl: string;
  appName: string;
  token: string;
  returnUrl: string;
  callbackUrl: string;
}

export function authorizeUrl(r: AuthorizeRequest): string {
  const u = new URL(`${r.siteUrl.replace(/\/$/, "")}/wc-auth/v1/authorize`);
  u.search = new URLSearchParams({ app_name: r.appName, scope: "read_write", user_id: r.token, return_url: r.returnUrl, callback_url: r.callbackUrl }).toString();
  return u.toString();
}

const mac = (payload: string, secret: string) => createHmac("sha256", secret).update(`woocommerce-connect:${payload}`).digest("base64url");

export function signConnectToken(storeId: number, secret: string, now = Date.now()): { token: string; nonce: string } {
  const nonce = randomBytes(12).toString("base64url");
  const payload = `${storeId}.${Math.floor(now / 1000) + CONNECT_TOKEN_TTL_SECONDS}.${nonce}`;
  return { token: `${payload}.${mac(payload, secret)}`, nonce };
}

export type ConnectTokenCheck = { ok: true; storeId: number; nonce: string } | { ok: false; reason: string };

export function verifyConnectToken(token: string, secret: string, now = Date.now()): ConnectTokenCheck {
  const m = /^(\d{1,9})\.(\d{1,12})\.([\w-]{8,64})\.([\w-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: "malformed user_id" };
  const [, storeId, expires, nonce, given] = m as unknown as [string, string, string, string, string];
  const expected = Buffer.from(mac(`${storeId}.${expires}.${nonce}`, secret));
  if (!timingSafeEqual(Buffer.from(given), expected)) return { ok: false, reason: "user_id signature does not match" };
  if (Number(expires) * 1000 < now) return { ok: false, reason: "the connection request expired: start again" };
  return { ok: true, storeId: Number(storeId), nonce };
}

// Signed tokens for the links inside our emails: one-click unsubscribe, tracked clicks and the
// open pixel. A token is base64url(JSON payload) "." base64url(HMAC-SHA256(payload)[0..16]);
// the key is derived from the app's session secret, so no table lookup is needed to trust a
// token, and nobody can forge an unsubscribe for another customer or a redirect to another site.
import { createHmac, timingSafeEqual } from "node:crypto";

export type LinkToken =
  /** One-click unsubscribe of one customer of one store (m: the message it came from, if any). */
  | { k: "u"; s: number; c: number; m?: number }
  /** Click on a link of a message: redirect to u. */
  | { k: "c"; s: number; m: number; u: string }
  /** Open pixel of a message. */
  | { k: "o"; s: number; m: number };

export function linkKey(sessionSecret: string): Buffer {
  return createHmac("sha256", sessionSecret).update("caderninho:email-links:v1").digest();
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac("sha256", key).update(payload).digest().subarray(0, 16);
}

export function signLinkToken(key: Buffer, token: LinkToken): string {
  const payload = Buffer.from(JSON.stringify(token)).toString("base64url");
  return `${payload}.${mac(key, payload).toString("base64url")}`;
}

/** The token's payload if its signature is valid and its shape is one we issue; null otherwise. */
export function verifyLinkToken(key: Buffer, token: string): LinkToken | null {
  const dot = token.indexOf(".");
  if (dot <= 0 || token.length > 4096) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const t = parsed as Partial<LinkToken> & Record<string, unknown>;
  const int = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;
  if (!t || typeof t !== "object" || !int(t.s)) return null;
  if (t.k === "u" && int(t.c) && (t.m === undefined || int(t.m))) return t as LinkToken;
  if (t.k === "c" && int(t.m) && typeof t.u === "string" && /^https?:\/\//i.test(t.u)) return t as LinkToken;
  if (t.k === "o" && int(t.m)) return t as LinkToken;
  return null;
}

// Shopify app proxy authentication: Shopify adds `shop`, `logged_in_customer_id`, `path_prefix`,
// `timestamp` and `signature` to the query it forwards. signature = HMAC-SHA256 (hex, app secret)
// of every other parameter as `key=value`, sorted by key, joined with nothing; a repeated key's
// values joined with ",". Same rules and 90 s clock tolerance as @shopify/shopify-api's validator.
import { createHmac, timingSafeEqual } from "node:crypto";

export const PROXY_CLOCK_TOLERANCE_SECONDS = 90;

export type ProxyVerifyResult =
  | { ok: true; shop: string; loggedInCustomerId: string | null }
  | { ok: false; reason: string };

function message(query: URLSearchParams): string {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of query) {
    if (k === "signature") continue;
    grouped.set(k, [...(grouped.get(k) ?? []), v]);
  }
  return [...grouped.keys()]
    .sort()
    .map((k) => `${k}=${grouped.get(k)!.join(",")}`)
    .join("");
}

export function signAppProxyQuery(query: URLSearchParams, secret: string): string {
  return createHmac("sha256", secret).update(message(query)).digest("hex");
}

export function verifyAppProxyQuery(query: URLSearchParams, secret: string, now = Date.now()): ProxyVerifyResult {
  const signatures = query.getAll("signature");
  if (signatures.length === 0) return { ok: false, reason: "missing app proxy signature" };
  for (const once of ["signature", "shop", "timestamp"])
    if (query.getAll(once).length > 1) return { ok: false, reason: `query parameter ${once} given more than once` };
  const given = Buffer.from(signatures[0]!, "hex");
  const expected = createHmac("sha256", secret).update(message(query)).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "invalid app proxy signature" };
  const timestamp = Number(query.get("timestamp"));
  if (!Number.isFinite(timestamp) || Math.abs(now / 1000 - timestamp) > PROXY_CLOCK_TOLERANCE_SECONDS)
    return { ok: false, reason: "app proxy timestamp missing or too far from now" };
  const shop = query.get("shop");
  if (!shop) return { ok: false, reason: "app proxy request without shop" };
  return { ok: true, shop, loggedInCustomerId: query.get("logged_in_customer_id") || null };
}

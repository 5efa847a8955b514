// The public surface: every route file outside /app is classified here with what protects it, so
// a new public endpoint fails this test until someone says how it is verified and limited. Each
// is then probed with bad input over real HTTP and must refuse it with a 4xx and store nothing;
// unauthenticated POSTs that do work (login, WooCommerce callback) hit their rate limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { routeFiles } from "../support/route-paths.ts";

let app: TestApp;

/** Route file → what protects it. Admin routes (app.*) are covered by security-admin.test.ts. */
const PUBLIC_ROUTES: Record<string, string> = {
  "_index.tsx": "redirect to the admin or the login; no data",
  "auth.$.tsx": "Shopify OAuth / token exchange (@shopify/shopify-app-remix verifies HMAC and state)",
  "healthz.ts": "health check; no data",
  "login.tsx": "admin password, 10 attempts per address per minute, CSRF origin check",
  "logout.ts": "clears the session cookie only",
  "welcome.tsx": "requires the standalone login",
  "pixel.events.ts": "public store token, zod schema, 64 KiB limit, per address+store rate limit",
  "proxy.$.ts": "Shopify app proxy signature (HMAC-SHA256, 90 s clock tolerance)",
  "storefront.compre-junto[.]js.ts": "static script; no data",
  "storefront.recommendations.ts": "public store token; read-only recommendations served from memory",
  "storefront.track.ts": "public store token, zod schema, per address+store rate limit",
  "webhooks.shopify.ts": "Shopify HMAC before anything is parsed; size limit",
  "webhooks.woocommerce.$storeId.ts": "per-store WooCommerce signing secret; size limit",
  "woocommerce.callback.ts": "signed single-use user_id, zod schema, 16 KiB limit, 20 per address per minute",
  // REST API (tested in api-v1.test.ts): per-store bearer token (sha256 at rest, revocable), read-only,
  // 120 requests a minute per token, zod-checked queries, another store's ids 404.
  "api.v1.$.ts": "JSON 404 for unknown API paths; no data",
  "api.v1.customers.ts": "API bearer token, rate limit, zod query",
  "api.v1.customers_.$id.ts": "API bearer token, rate limit, store-scoped id",
  "api.v1.openapi[.]json.ts": "the API's OpenAPI document; no data",
  "api.v1.segments.ts": "API bearer token, rate limit",
  "api.v1.segments_.$id.ts": "API bearer token, rate limit, store-scoped id",
  "api.v1.segments_.$id.members.ts": "API bearer token, rate limit, store-scoped id, zod query",
  "api.v1.stats.ts": "API bearer token, rate limit, zod query",
  "unsubscribe.$token.tsx": "HMAC-signed token naming store + customer (bad signature → 400, nothing changed); only ever sets consent off",
  "t.c.$token.ts": "HMAC-signed token naming store, message and target URL (bad → 400, never an open redirect); sets clickedAt once",
  "t.o.$token.ts": "HMAC-signed token naming store and message (bad → 404); sets openedAt once",
};

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
});
afterAll(async () => app?.close());

const count = async () => ({
  receipts: await app.services.db.webhookReceipt.count(),
  events: await app.services.db.event.count(),
  stores: await app.services.db.store.count(),
});

/** Refused (`refused`) until the limit, then 429 for good; at most `limit` got through. */
function expectLimited(statuses: number[], refused: number, limit: number): void {
  const first = statuses.indexOf(429);
  expect(first, statuses.join(",")).toBeGreaterThan(0);
  expect(first).toBeLessThanOrEqual(limit);
  expect(statuses.slice(0, first).every((s) => s === refused), statuses.join(",")).toBe(true);
  expect(statuses.slice(first).every((s) => s === 429), statuses.join(",")).toBe(true);
}

describe("public endpoints", () => {
  it("every route outside /app is classified", () => {
    const unclassified = routeFiles()
      .map((r) => r.file)
      .filter((f) => !f.startsWith("app.") && f !== "app.tsx" && !(f in PUBLIC_ROUTES));
    expect(unclassified, "classify new public routes in PUBLIC_ROUTES with what verifies and limits them").toEqual([]);
  });

  it("refuses unsigned or malformed input with a 4xx and stores nothing", async () => {
    const before = await count();
    const probes: [string, RequestInit][] = [
      ["/webhooks/shopify", { method: "POST", body: JSON.stringify({ id: 1 }), headers: { "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": "x.myshopify.com" } }],
      ["/webhooks/woocommerce/1", { method: "POST", body: JSON.stringify({ id: 1 }), headers: { "X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Signature": "bad" } }],
      ["/webhooks/woocommerce/not-a-number", { method: "POST", body: "{}" }],
      ["/proxy/recommendations?product_id=1&shop=x.myshopify.com&signature=00", { method: "GET" }],
      ["/pixel/events", { method: "POST", body: "not json", headers: { "Content-Type": "application/json" } }],
      ["/pixel/events", { method: "POST", body: JSON.stringify({ token: "nope", events: [{ name: "page_viewed" }] }), headers: { "Content-Type": "application/json" } }],
      ["/storefront/track", { method: "POST", body: JSON.stringify({ token: "nope" }), headers: { "Content-Type": "application/json" } }],
      ["/storefront/recommendations?token=nope&product=1", { method: "GET" }],
      ["/woocommerce/callback", { method: "POST", body: JSON.stringify({ consumer_key: "x" }), headers: { "Content-Type": "application/json" } }],
      ["/woocommerce/callback", { method: "POST", body: "x".repeat(20_000), headers: { "Content-Type": "application/json" } }],
      ["/unsubscribe/not-a-signed-token", { method: "POST" }],
      ["/t/c/not-a-signed-token", { method: "GET" }],
      ["/api/v1/customers", { method: "GET" }],
      ["/api/v1/customers", { method: "GET", headers: { Authorization: "Bearer cdn_not_a_real_token" } }],
    ];
    for (const [path, init] of probes) {
      const res = await fetch(`${app.url}${path}`, { ...init, redirect: "manual" });
      expect(res.status, `${init.method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${init.method} ${path}`).toBeLessThan(500);
    }
    expect(await count()).toEqual(before);
  });

  it("rate-limits unauthenticated POSTs that do work: the login and the WooCommerce callback", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "wrong" }), redirect: "manual" });
      statuses.push(res.status);
    }
    expectLimited(statuses, 401, 10);
    const callback: number[] = [];
    for (let i = 0; i < 22; i++) {
      const res = await fetch(`${app.url}/woocommerce/callback`, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
      callback.push(res.status);
    }
    expectLimited(callback, 400, 20); // the probes above used some of this address's 20
  });
});

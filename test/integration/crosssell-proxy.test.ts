// The app proxy end to end on the real server: signed requests as Shopify forwards them, pairs
// mined from real rows, one store's data never visible through another's signature.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAppProxyQuery } from "../../adapters/shopify/app-proxy-signature.ts";
import { minePairs } from "../../app/core/cross-sell/mine-pairs.server.ts";
import { crossSellAttribution } from "../../app/core/cross-sell/track.server.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { seedOrders, seedProducts, type SeedOrder } from "../fixtures/crosssell-seed.ts";

let app: TestApp;
const A = "loja-a.myshopify.com";
const B = "loja-b.myshopify.com";
const EMPTY = "vazia.myshopify.com";
const ids: Record<string, number> = {};
let customerId = 0;

function proxyUrl(shop: string, params: Record<string, string>, opts: { secret?: string; path?: string; customer?: string } = {}): string {
  const q = new URLSearchParams({ ...params, shop, path_prefix: "/apps/caderninho", timestamp: String(Math.floor(Date.now() / 1000)), logged_in_customer_id: opts.customer ?? "" });
  q.set("signature", signAppProxyQuery(q, opts.secret ?? app.services.secrets.shopifyWebhookSecret));
  return `${app.url}/proxy/${opts.path ?? "recommendations"}?${q}`;
}

async function get(url: string) {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: (await res.json()) as { items?: { id: string; reason: string; url: string; variantId: string }[]; personalised?: boolean; error?: string } };
}

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const db = app.services.db;
  for (const shop of [A, B, EMPTY]) ids[shop] = (await db.store.create({ data: { platform: "shopify", domain: shop, name: shop } })).id;
  const day = (n: number) => new Date(Date.now() - n * 86_400_000);
  const orders = (prefix: string, baskets: string[][], customer?: number): SeedOrder[] =>
    baskets.map((productIds, i) => ({ platformId: `${prefix}${i}`, placedAt: day(i + 1), productIds, customerId: customer ?? null }));
  // Store A: café pairs with filtro (3×) and caneca (2×); chá has no pairs; "esgotado" is out of stock.
  await seedProducts(db, ids[A]!, [
    { platformId: "100", title: "Café", category: "bebidas", collections: ["manha"] },
    { platformId: "101", title: "Filtro", category: "acessorios" },
    { platformId: "102", title: "Caneca", category: "acessorios" },
    { platformId: "103", title: "Chá", category: "bebidas", collections: ["manha"] },
    { platformId: "104", title: "Esgotado", category: "acessorios", inStock: false },
    { platformId: "105", title: "Biscoito", category: "doces" },
  ]);
  const customer = await db.customer.create({ data: { storeId: ids[A]!, platformId: "9001", email: "ana@example.com" } });
  customerId = customer.id;
  await seedOrders(db, ids[A]!, [
    ...orders("a", [["100", "101"], ["100", "101"], ["100", "101", "102"], ["100", "102"], ["100", "104"], ["100", "104"], ["100", "105"], ["100", "105"]]),
    ...orders("c", [["101", "105"], ["105"]], customer.id),
  ]);
  // Store B: the same product ids mean other products; "100" pairs with "900" only.
  await seedProducts(db, ids[B]!, [{ platformId: "100", title: "Vinho" }, { platformId: "900", title: "Queijo de B" }]);
  await seedOrders(db, ids[B]!, orders("b", [["100", "900"], ["100", "900"]]));
  for (const shop of [A, B, EMPTY]) await minePairs(db, ids[shop]!);
});

afterAll(async () => {
  await app?.close();
});

describe("app proxy: recommendations", () => {
  it("answers a signed request with the product's pairs, best first, available only, cacheable", async () => {
    const r = await get(proxyUrl(A, { product_id: "100", limit: "4" }));
    expect(r.status).toBe(200);
    // caneca and biscoito both pair twice with café; caneca is rarer (higher lift) and more recent
    expect(r.body.items!.map((i) => i.id)).toEqual(["101", "102", "105"]); // 104 is out of stock
    expect(r.body.items![0]).toMatchObject({ reason: "pair", url: "/products/101", variantId: "10101" });
    expect(r.body.personalised).toBe(false);
    expect(r.headers.get("cache-control")).toBe("public, max-age=300, stale-while-revalidate=3600");
    expect(r.headers.get("vary")).toContain("Accept-Encoding");
  });

  it("refuses a missing or wrong signature with 401 and a reason", async () => {
    const unsigned = await get(`${app.url}/proxy/recommendations?shop=${A}&product_id=100&timestamp=${Math.floor(Date.now() / 1000)}`);
    expect(unsigned).toMatchObject({ status: 401, body: { error: "missing app proxy signature" } });
    const forged = await get(proxyUrl(A, { product_id: "100" }, { secret: "not-the-app-secret" }));
    expect(forged).toMatchObject({ status: 401, body: { error: "invalid app proxy signature" } });
    expect(forged.headers.get("cache-control")).toBe("no-store");
    const tampered = proxyUrl(A, { product_id: "100" }).replace(`shop=${A}`, `shop=${B}`);
    expect((await get(tampered)).status).toBe(401);
  });

  it("keeps stores apart: the same product id answers from each store's own pairs", async () => {
    expect((await get(proxyUrl(B, { product_id: "100" }))).body.items!.map((i) => i.id)).toEqual(["900"]);
    expect((await get(proxyUrl(A, { product_id: "900" }))).body.items).toEqual([]); // B's product is unknown in A
  });

  it("answers an unknown product, an empty store and an unknown shop sensibly", async () => {
    expect(await get(proxyUrl(A, { product_id: "999" }))).toMatchObject({ status: 200, body: { items: [] } });
    expect(await get(proxyUrl(EMPTY, { product_id: "100" }))).toMatchObject({ status: 200, body: { items: [] } });
    expect(await get(proxyUrl("nunca.myshopify.com", { product_id: "100" }))).toMatchObject({ status: 404, body: { error: "unknown shop nunca.myshopify.com" } });
    expect(await get(proxyUrl(A, {}))).toMatchObject({ status: 400, body: { error: "product_id or cart is required" } });
    expect(await get(proxyUrl(A, { product_id: "100", limit: "99" }))).toMatchObject({ status: 400 });
  });

  it("falls back to the collection's best sellers when a product has no pairs", async () => {
    const r = await get(proxyUrl(A, { product_id: "103" }));
    expect(r.body.items!.map((i) => `${i.id}:${i.reason}`)).toEqual(["100:bestseller"]);
  });

  it("personalises for a logged-in customer, privately cached", async () => {
    const r = await get(proxyUrl(A, { product_id: "100", limit: "4" }, { customer: "9001" }));
    expect(r.body.personalised).toBe(true);
    expect(r.body.items!.map((i) => i.id)).toEqual(["102"]); // filtro and biscoito already bought
    expect(r.headers.get("cache-control")).toBe("private, max-age=60");
  });
});

describe("app proxy: tracking", () => {
  const post = (body: unknown, customer?: string) =>
    fetch(proxyUrl(A, {}, { path: "track", customer }), { method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("stores clicks and add-to-carts as events, tied to the logged-in customer, and counts them", async () => {
    const since = new Date(Date.now() - 1000);
    expect((await post({ event: "click", sourceProductIds: ["100"], productIds: ["101"] })).status).toBe(204);
    expect((await post({ event: "add_to_cart", sourceProductIds: ["100"], productIds: ["101", "102"] }, "9001")).status).toBe(204);
    const events = await app.services.db.event.findMany({ where: { storeId: ids[A]!, type: { startsWith: "crosssell." } }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.type, e.customerId])).toEqual([["crosssell.click", null], ["crosssell.add_to_cart", customerId]]);
    const numbers = await crossSellAttribution(app.services.db, ids[A]!, since);
    expect(numbers).toMatchObject({ clicks: 1, addToCarts: 1, topAdded: [{ productId: "101", times: 1 }, { productId: "102", times: 1 }] });
  });

  it("refuses bad bodies with 400 and a reason, storing nothing", async () => {
    const before = await app.services.db.event.count();
    const r = await post({ event: "purchase", sourceProductIds: ["100"], productIds: [] });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/event: .*productIds: /);
    expect((await post("{not json")).status).toBe(400);
    expect((await post({ event: "click", sourceProductIds: ["100"], productIds: ["1"], padding: "x".repeat(5000) })).status).toBe(413);
    expect(await app.services.db.event.count()).toBe(before);
  });
});

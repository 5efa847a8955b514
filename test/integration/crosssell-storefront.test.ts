// The WooCommerce flavour of the block: the script the app serves, the JSON keyed by a store's
// public token (CORS for the shop's own origin only), tracking with a rate limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { minePairs } from "../../app/core/cross-sell/mine-pairs.server.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { seedOrders, seedProducts } from "../fixtures/crosssell-seed.ts";

let app: TestApp;
const tokens: Record<"woo" | "other", string> = { woo: "", other: "" };
let wooId = 0;

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const db = app.services.db;
  const woo = await db.store.create({ data: { platform: "woocommerce", domain: "loja.example.com.br", name: "Loja Woo" } });
  const other = await db.store.create({ data: { platform: "woocommerce", domain: "outra.example.com", name: "Outra" } });
  wooId = woo.id;
  tokens.woo = woo.publicToken;
  tokens.other = other.publicToken;
  await seedProducts(db, woo.id, [{ platformId: "10" }, { platformId: "11", title: "Par de 10" }]);
  await seedOrders(db, woo.id, [1, 2].map((i) => ({ platformId: `w${i}`, placedAt: new Date(), productIds: ["10", "11"] })));
  await seedProducts(db, other.id, [{ platformId: "10" }, { platformId: "99", title: "Segredo da outra loja" }]);
  await seedOrders(db, other.id, [1, 2].map((i) => ({ platformId: `o${i}`, placedAt: new Date(), productIds: ["10", "99"] })));
  await minePairs(db, woo.id);
  await minePairs(db, other.id);
});

afterAll(async () => {
  await app?.close();
});

describe("WooCommerce storefront block", () => {
  it("serves the block's script", async () => {
    const r = await fetch(`${app.url}/storefront/compre-junto.js?token=${tokens.woo}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("application/javascript");
    expect(await r.text()).toContain("CaderninhoCompreJunto");
  });

  it("answers by public token, with CORS for the shop's own origin only", async () => {
    const r = await fetch(`${app.url}/storefront/recommendations?token=${tokens.woo}&product_id=10`, { headers: { Origin: "https://loja.example.com.br" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("access-control-allow-origin")).toBe("https://loja.example.com.br");
    expect(r.headers.get("cache-control")).toContain("public");
    const body = (await r.json()) as { items: { id: string; title: string; url: string }[] };
    expect(body.items.map((i) => [i.id, i.url])).toEqual([["11", "/?p=11"]]);
    const foreign = await fetch(`${app.url}/storefront/recommendations?token=${tokens.woo}&product_id=10`, { headers: { Origin: "https://evil.example" } });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("never shows one store's pairs through another store's token", async () => {
    const mine = (await (await fetch(`${app.url}/storefront/recommendations?token=${tokens.other}&product_id=10`)).json()) as { items: { title: string }[] };
    expect(mine.items.map((i) => i.title)).toEqual(["Segredo da outra loja"]);
    const through = (await (await fetch(`${app.url}/storefront/recommendations?token=${tokens.woo}&product_id=99`)).json()) as { items: unknown[] };
    expect(through.items).toEqual([]);
    const bad = await fetch(`${app.url}/storefront/recommendations?token=nao-existe-este-token&product_id=10`);
    expect(bad.status).toBe(401);
  });

  it("stores tracking posted as text/plain, refuses bad ones, and rate-limits a flood", async () => {
    const post = (body: unknown) =>
      fetch(`${app.url}/storefront/track?token=${tokens.woo}`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body) });
    expect((await post({ event: "click", sourceProductIds: ["10"], productIds: ["11"] })).status).toBe(204);
    expect(await app.services.db.event.count({ where: { storeId: wooId, type: "crosssell.click" } })).toBe(1);
    const bad = await post({ event: "click", sourceProductIds: [], productIds: ["11"] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("sourceProductIds");
    // At once, so the bucket (burst 30, 1 a second) cannot refill meanwhile on a slow machine.
    const statuses = await Promise.all(Array.from({ length: 60 }, async () => (await post({ event: "click", sourceProductIds: ["10"], productIds: ["11"] })).status));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(await app.services.db.event.count({ where: { storeId: wooId, type: "crosssell.click" } })).toBe(1 + statuses.filter((s) => s === 204).length);
  });
});

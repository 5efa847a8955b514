// Embedded mode: a request from the Shopify admin carries a session token (JWT signed with the
// app secret); @shopify/shopify-app-remix verifies it and loads the shop's offline session from
// our PostgreSQL. The admin then sees that shop's store, and only it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { Session } from "@shopify/shopify-api";
import { startTestApp, type TestApp } from "../support/test-app.ts";

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret";
const SHOP = "embedded-test.myshopify.com";
// Node's fetch identifies as a bot, which Shopify's library answers with 410 before any auth.
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: API_SECRET, APP_URL: "https://caderninho.example.com", SCOPES: "read_customers,read_orders" });
  const { db } = app.services;
  await db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Loja Embutida", currency: "BRL" } });
  await db.store.create({ data: { platform: "shopify", domain: "other.myshopify.com", name: "Outra", currency: "USD" } });
  const storage = new PrismaSessionStorage(db);
  const session = new Session({
    id: `offline_${SHOP}`,
    shop: SHOP,
    state: "state",
    isOnline: false,
    scope: "read_customers,read_orders",
    accessToken: "shpat_test_token",
    expires: new Date(Date.now() + 3600_000),
  });
  session.refreshToken = "shprt_test";
  session.refreshTokenExpires = new Date(Date.now() + 30 * 86400_000);
  expect(await storage.storeSession(session)).toBe(true);
});
afterAll(async () => app?.close());

describe("embedded Shopify admin", () => {
  it("authenticates a session-token request and shows the shop's own store", async () => {
    const { token } = await getJwt("embedded-test", API_KEY, API_SECRET);
    const res = await fetch(`${app.url}/app?_data=${encodeURIComponent("routes/app._index")}`, { headers: { Authorization: `Bearer ${token}`, "User-Agent": BROWSER } });
    expect(res.status).toBe(200);
    const data = (await res.json()) as { store: { name: string; currency: string } };
    expect(data.store).toMatchObject({ name: "Loja Embutida", currency: "BRL" });
  });

  it("rejects a session token signed with another secret", async () => {
    const { token } = await getJwt("embedded-test", API_KEY, "not-the-secret");
    const res = await fetch(`${app.url}/app?_data=${encodeURIComponent("routes/app._index")}`, { headers: { Authorization: `Bearer ${token}`, "User-Agent": BROWSER }, redirect: "manual" });
    expect([401, 302]).toContain(res.status);
    if (res.status === 302) expect(res.headers.get("location")).not.toContain("/app?");
    const body = await res.text();
    expect(body).not.toContain("Loja Embutida");
  });

  it("still offers the standalone login to requests without Shopify parameters", async () => {
    const res = await fetch(`${app.url}/app`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
  });
});

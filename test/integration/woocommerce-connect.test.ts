// Connecting a WooCommerce store from the standalone admin, end to end over HTTP: the admin page
// sends the merchant to /wc-auth/v1/authorize, the simulated store POSTs the keys to our public
// callback, the signed single-use user_id ties them to the store, the keys are stored encrypted,
// and the queued import fills the store. Then: replays, forgeries and bad bodies are refused;
// pasted keys are tested before they are saved; nothing secret reaches the page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWooSimulator, type WooSimulator } from "../support/woocommerce-simulator.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { ensureDemoStore } from "../../app/demo/demo-store.server.ts";

let app: TestApp;
let sim: WooSimulator;
let cookie: string;

beforeAll(async () => {
  app = await startTestApp();
  app.services.config.appUrl = app.url;
  // The admin frame needs a current store; standalone installs have the demo store by default.
  await ensureDemoStore(app.services);
  sim = await startWooSimulator({ seed: 21, customers: 80, allowHttpCallback: true });
  const res = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = res.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await sim?.close();
  await app?.close();
});

const admin = (path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, { redirect: "manual", ...init, headers: { Cookie: cookie, "Accept-Language": "en", ...init.headers } });
const submit = (fields: Record<string, string>) => admin("/app/woocommerce", { method: "POST", body: new URLSearchParams(fields) });
const callback = (body: unknown) => fetch(`${app.url}/woocommerce/callback`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let lastUserId = "";

describe("connecting a WooCommerce store", () => {
  it("shows the connect page to a logged-in admin only", async () => {
    expect((await fetch(`${app.url}/app/woocommerce`, { redirect: "manual" })).status).toBe(302);
    const page = await admin("/app/woocommerce");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Connect WooCommerce store");
  });

  it("runs the authorisation flow: keys arrive at the callback, stored encrypted, import runs", async () => {
    const start = await submit({ intent: "authorize", siteUrl: sim.url, name: "Empório na Woo" });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin + authorize.pathname).toBe(`${sim.url}/wc-auth/v1/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({ app_name: "caderninho", scope: "read_write", callback_url: `${app.url}/woocommerce/callback` });
    lastUserId = authorize.searchParams.get("user_id")!;
    // The merchant approves in wp-admin: the store POSTs the keys, then sends them back to us.
    const approved = await fetch(authorize, { redirect: "manual" });
    expect(approved.status).toBe(302);
    const back = new URL(approved.headers.get("location")!);
    expect(back.searchParams.get("success")).toBe("1");
    const store = await app.services.db.store.findFirstOrThrow({ where: { platform: "woocommerce" } });
    expect(store.credentials).toMatch(/^v1:/);
    expect(store.credentials).not.toContain("ck_");
    const run = await waitFor("the import", () => app.services.db.syncRun.findFirst({ where: { storeId: store.id, kind: "backfill", status: "done" } }), 60_000);
    expect(run.done).toBeGreaterThanOrEqual(run.total!);
    expect(await app.services.db.order.count({ where: { storeId: store.id } })).toBe(sim.expected().orders);
    expect(sim.webhooks().filter((h) => h.status === "active").length).toBeGreaterThanOrEqual(11);
    const page = await (await admin(`${back.pathname}${back.search}`)).text();
    expect(page).toContain("Access approved");
    expect(page).toContain("Empório na Woo");
    expect(page).not.toMatch(/c[ks]_[0-9a-f]{20}/);
  });

  it("refuses replayed, forged and malformed callbacks", async () => {
    const keys = { key_id: 9, consumer_key: `ck_${"a".repeat(40)}`, consumer_secret: `cs_${"b".repeat(40)}`, key_permissions: "read_write" };
    const replay = await callback({ ...keys, user_id: lastUserId });
    expect(replay.status).toBe(403);
    expect(await replay.text()).toMatch(/already used/);
    const [id, exp, nonce] = lastUserId.split(".");
    const forged = await callback({ ...keys, user_id: `${id}.${Number(exp) + 999}.${nonce}.${"A".repeat(43)}` });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toMatch(/signature/);
    const readOnly = await callback({ ...keys, user_id: lastUserId, key_permissions: "read" });
    expect(readOnly.status).toBe(400);
    expect(await readOnly.text()).toMatch(/read_write/);
    expect((await fetch(`${app.url}/woocommerce/callback`, { method: "POST", body: "consumer_key=x" })).status).toBe(400);
    // The stored keys are still the approved ones.
    const store = await app.services.db.store.findFirstOrThrow({ where: { platform: "woocommerce" } });
    expect(store.credentials).not.toContain("aaaa");
  });

  it("tests pasted keys before saving them", async () => {
    const other = await startWooSimulator({ seed: 22, customers: 10 });
    try {
      const wrong = await submit({ intent: "keys", siteUrl: other.url, consumerKey: other.consumerKey, consumerSecret: "cs_nope" });
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain("The store refused these keys");
      expect(await app.services.db.store.count({ where: { platform: "woocommerce" } })).toBe(1);
      const unreachable = await submit({ intent: "keys", siteUrl: "http://127.0.0.1:9", consumerKey: "ck_x", consumerSecret: "cs_y" });
      expect(await unreachable.text()).toContain("Could not reach");
      const ok = await submit({ intent: "keys", siteUrl: other.url, name: "Loja colada", consumerKey: other.consumerKey, consumerSecret: other.consumerSecret });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("Store connected");
      expect(await app.services.db.store.count({ where: { platform: "woocommerce" } })).toBe(2);
    } finally {
      await other.close();
    }
  });

  it("shows a paused sync with the store's reason when the keys are revoked", async () => {
    const store = await app.services.db.store.findFirstOrThrow({ where: { platform: "woocommerce" }, orderBy: { id: "asc" } });
    sim.revokeKeys();
    const ordersBefore = await app.services.db.order.count({ where: { storeId: store.id } });
    expect((await submit({ intent: "resync", storeId: String(store.id) })).status).toBe(200);
    await waitFor("the pause", async () => {
      const s = await app.services.db.store.findUniqueOrThrow({ where: { id: store.id } });
      return (s.settings as { woocommerce?: { state: string } }).woocommerce?.state === "paused";
    });
    const page = await (await admin("/app/woocommerce")).text();
    expect(page).toContain("Sync paused");
    expect(page).toContain("Consumer key is invalid");
    expect(await app.services.db.order.count({ where: { storeId: store.id } })).toBe(ordersBefore);
  });

  it("rate-limits the public callback", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await callback({ user_id: "x" })).status);
    expect(statuses).toContain(429);
  });
});

// A standalone installation with no store yet (demo off): the admin is sent to /welcome, which
// leads to the WooCommerce connect page, and that page opens without a store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";

let app: TestApp;
let cookie: string;

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => app?.close());

describe("no store yet", () => {
  it("sends the admin to /welcome, which offers to connect a WooCommerce store", async () => {
    expect(await app.services.db.store.count()).toBe(0);
    const home = await fetch(`${app.url}/app`, { headers: { Cookie: cookie }, redirect: "manual" });
    expect(home.status).toBe(302);
    expect(home.headers.get("location")).toBe("/welcome");
    const welcome = await fetch(`${app.url}/welcome`, { headers: { Cookie: cookie } });
    expect(welcome.status).toBe(200);
    expect(await welcome.text()).toContain('href="/app/woocommerce"');
  });

  it("opens the connect page without a store", async () => {
    const res = await fetch(`${app.url}/app/woocommerce`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Conectar loja WooCommerce");
    // Other admin pages still need a store.
    const sync = await fetch(`${app.url}/app/sync`, { headers: { Cookie: cookie }, redirect: "manual" });
    expect(sync.headers.get("location")).toBe("/welcome");
  });
});

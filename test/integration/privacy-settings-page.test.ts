// The privacy settings page over real HTTP: retention edited with zod's 1–365 check (bad input →
// 400 naming the field, nothing saved, other settings kept), data requests listed with download
// links to their stored exports (another store's → 404), erasures listed without personal data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "@prisma/client";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { adminCookieFor } from "../support/privacy-helpers.ts";

let app: TestApp;
let store: Store;
let other: Store;
let cookie: string;
const ROUTE = "routes/app.settings.privacy";

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  store = await app.services.db.store.create({ data: { platform: "woocommerce", domain: "priv-page.example.com", name: "Página", settings: { tagPrefix: "crm:" } } });
  other = await app.services.db.store.create({ data: { platform: "woocommerce", domain: "priv-other.example.com", name: "Outra" } });
  cookie = await adminCookieFor(app.services, store.id);
});
afterAll(async () => app?.close());

const save = (value: string, intent = "retention") =>
  fetch(`${app.url}/app/settings/privacy?_data=${encodeURIComponent(ROUTE)}`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ intent, retentionDays: value }) });

describe("privacy settings page", () => {
  it("renders with the default retention and empty lists", async () => {
    const res = await fetch(`${app.url}/app/settings/privacy`, { headers: { Cookie: cookie, "Accept-Language": "pt-BR" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Retenção de dados");
    expect(html).toContain('value="7"');
    expect(html).toContain("Nenhum pedido de dados ainda");
  });

  it("refuses retention outside 1–365 or not a whole number, saving nothing", async () => {
    for (const bad of ["0", "366", "abc", "7.5", ""]) {
      const res = await save(bad);
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, error: "retentionDays", path: "retentionDays" });
    }
    const unknown = await save("30", "drop-tables");
    expect(unknown.status).toBe(400);
    expect((await app.services.db.store.findUniqueOrThrow({ where: { id: store.id } })).settings).toEqual({ tagPrefix: "crm:" });
  });

  it("saves a valid retention and keeps the other settings", async () => {
    const res = await save("30");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, days: 30 });
    expect((await app.services.db.store.findUniqueOrThrow({ where: { id: store.id } })).settings).toEqual({ tagPrefix: "crm:", retentionDays: 30 });
  });

  it("lists data requests with a link to the stored export, and erasures; other stores see none of it", async () => {
    const { db } = app.services;
    const c = await db.customer.create({ data: { storeId: store.id, platformId: "9", email: "pedido@example.com" } });
    const req = await db.privacyRequest.create({
      data: { storeId: store.id, kind: "data_request", source: "shopify", dedupeKey: "receipt:x", customerId: c.id, status: "done", export: { format: "caderninho.customer-data.v1", customer: { email: "pedido@example.com" } }, completedAt: new Date() },
    });
    await db.privacyRequest.create({ data: { storeId: store.id, kind: "erasure", source: "woocommerce", dedupeKey: "receipt:y", customerId: 12345, status: "done", reason: "woocommerce customer.deleted", completedAt: new Date() } });
    const html = await (await fetch(`${app.url}/app/settings/privacy`, { headers: { Cookie: cookie, "Accept-Language": "en" } })).text();
    const link = `/app/customers/${c.id}/data.json?request=${req.id}`;
    expect(html).toContain(link.replace(/&/g, "&amp;"));
    expect(html).toContain("Customer #12345");
    expect(html).toContain("woocommerce customer.deleted");
    const download = await fetch(`${app.url}${link}`, { headers: { Cookie: cookie } });
    expect(download.status).toBe(200);
    expect(await download.json()).toMatchObject({ customer: { email: "pedido@example.com" } });
    const foreign = await fetch(`${app.url}${link}`, { headers: { Cookie: await adminCookieFor(app.services, other.id) } });
    expect(foreign.status).toBe(404);
    const otherPage = await (await fetch(`${app.url}/app/settings/privacy`, { headers: { Cookie: await adminCookieFor(app.services, other.id), "Accept-Language": "en" } })).text();
    expect(otherPage).not.toContain("Customer #12345");
    expect((await fetch(`${app.url}/app/customers/${c.id}/data.json?request=abc`, { headers: { Cookie: cookie } })).status).toBe(404);
  });
});

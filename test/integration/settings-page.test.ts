// The settings page through the real app: bad values come back with one error per field and
// nothing is stored; good values are merged into Store.settings (other keys kept), an RFM change
// queues a rescore that the worker runs with the new options, and the language choice changes
// the language of the next page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { seedCustomers } from "./customers-seed.ts";
import { mergeStoreSettings, parseSettingsForm, readStoreSettings } from "../../app/core/settings/store-settings.ts";

let app: TestApp;
let cookie: string;
let storeId: number;
const DATA = "routes%2Fapp.settings._index";

const valid = { tagPrefix: "crm:", rfmWindow: "all", tiePolicy: "rank", quietHoursEnabled: "off", quietStart: "21:00", quietEnd: "08:00", language: "auto" };

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.services;
  storeId = (await db.store.create({ data: { platform: "woocommerce", domain: "settings.example", name: "Settings", currency: "BRL", settings: { woo: { siteUrl: "https://settings.example" } } } })).id;
  await seedCustomers(db, storeId, 20);
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await app?.close();
});

const save = (body: Record<string, string>) => fetch(`${app.url}/app/settings?_data=${DATA}`, { method: "POST", body: new URLSearchParams(body), headers: { Cookie: cookie } });

describe("settings page", () => {
  it("answers each bad field with its own error and stores nothing", async () => {
    const before = (await app.services.db.store.findUniqueOrThrow({ where: { id: storeId } })).settings;
    const res = await save({ ...valid, tagPrefix: "crm", rfmWindow: "500", tiePolicy: "random", quietHoursEnabled: "on", quietStart: "25:00", quietEnd: "", language: "fr" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      ok: false,
      errors: { tagPrefix: "tagPrefixInvalid", rfmWindow: "windowInvalid", tiePolicy: "tiePolicyInvalid", quietStart: "timeInvalid", quietEnd: "timeInvalid", language: "languageInvalid" },
    });
    expect((await save({ ...valid, quietHoursEnabled: "on", quietStart: "22:00", quietEnd: "22:00" }).then((r) => r.json()))).toEqual({ ok: false, errors: { quietEnd: "quietSame" } });
    expect((await app.services.db.store.findUniqueOrThrow({ where: { id: storeId } })).settings).toEqual(before);
    // The page shows the errors in words, in the admin's language.
    const html = await (await fetch(`${app.url}/app/settings`, { headers: { Cookie: cookie, "Accept-Language": "en" } })).text();
    expect(html).toContain("Tag prefix");
  });

  it("saves, keeps other settings, and rescores with the new RFM options", async () => {
    const { db } = app.services;
    const runsBefore = await db.rfmRun.count({ where: { storeId } });
    const res = await save({ ...valid, tagPrefix: "cad-", rfmWindow: "12", tiePolicy: "ntile", quietHoursEnabled: "on", quietStart: "21:30", quietEnd: "07:45" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, rescoreQueued: true, prefixChanged: true });
    const stored = (await db.store.findUniqueOrThrow({ where: { id: storeId } })).settings as Record<string, unknown>;
    expect(stored).toMatchObject({ tagPrefix: "cad-", analytics: { rfm: { windowMonths: 12, tiePolicy: "ntile" } }, quietHours: { start: "21:30", end: "07:45" }, woo: { siteUrl: "https://settings.example" } });
    // The worker runs the queued rescore, with the options just saved. (A rescore queued earlier
    // may still be finishing with the old options: wait for the run that used the new ones.)
    const deadline = Date.now() + 30_000;
    let run = null;
    while (Date.now() < deadline) {
      const runs = await db.rfmRun.findMany({ where: { storeId }, orderBy: { id: "desc" }, take: 3 });
      run = runs.find((r) => (r.params as { windowMonths?: unknown }).windowMonths === 12) ?? null;
      if (run) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await db.rfmRun.count({ where: { storeId } })).toBeGreaterThan(runsBefore);
    expect(run?.params).toMatchObject({ windowMonths: 12, tiePolicy: "ntile" });

    // Saving the same RFM options again queues nothing.
    const same = await save({ ...valid, tagPrefix: "cad-", rfmWindow: "12", tiePolicy: "ntile" });
    expect(await same.json()).toEqual({ ok: true, rescoreQueued: false, prefixChanged: false });
    expect((await db.store.findUniqueOrThrow({ where: { id: storeId } })).settings).toMatchObject({ quietHours: null });
    const page = (await (await fetch(`${app.url}/app/settings?_data=${DATA}`, { headers: { Cookie: cookie } })).json()) as { form: Record<string, string> };
    expect(page.form).toMatchObject({ tagPrefix: "cad-", rfmWindow: "12", tiePolicy: "ntile", quietHoursEnabled: "off" });
  });

  it("switches the admin's language for the next pages, and back to the browser's", async () => {
    const res = await save({ ...valid, language: "en" });
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toContain("__caderninho=");
    const english = setCookie.split(";")[0]!;
    const html = await (await fetch(`${app.url}/app/customers`, { headers: { Cookie: english, "Accept-Language": "pt-BR" } })).text();
    expect(html).toContain('<html lang="en"');
    const back = await fetch(`${app.url}/app/settings?_data=${DATA}`, { method: "POST", body: new URLSearchParams({ ...valid, language: "auto" }), headers: { Cookie: english } });
    const auto = back.headers.get("set-cookie")!.split(";")[0]!;
    const html2 = await (await fetch(`${app.url}/app/customers`, { headers: { Cookie: auto, "Accept-Language": "pt-BR" } })).text();
    expect(html2).toContain('<html lang="pt-BR"');
  });

  it("reads unreadable stored settings as the defaults and merges without losing keys", () => {
    // Unreadable quiet hours fall back to the follow-ups' default (21:00–08:00), which is what the sender applies too.
    expect(readStoreSettings({ tagPrefix: 5, analytics: { rfm: { windowMonths: "x" } }, quietHours: "night" })).toEqual({ tagPrefix: "crm:", rfm: { windowMonths: null, tiePolicy: "rank" }, quietHours: { start: "21:00", end: "08:00" } });
    const parsed = parseSettingsForm({ ...valid, rfmWindow: "6" });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const merged = mergeStoreSettings({ analytics: { clusters: { k: 4 } }, other: 1 }, parsed.value);
    expect(merged.settings).toEqual({ other: 1, tagPrefix: "crm:", analytics: { clusters: { k: 4 }, rfm: { windowMonths: 6, tiePolicy: "rank" } }, quietHours: null });
    expect(merged.rfmChanged).toBe(true);
    expect(merged.prefixChanged).toBe(false);
  });
});

// The privacy settings page in real Chromium, used from the keyboard: the retention field is
// reachable by its label, a value out of range shows the error next to the field (nothing saved),
// a valid one saves with a confirmation; the data request's download is a real link.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Store } from "@prisma/client";
import { describeWithChromium, launchBrowser, type LaunchedBrowser } from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { adminCookieFor } from "../support/privacy-helpers.ts";

describeWithChromium("privacy settings page in Chromium", () => {
  let app: TestApp;
  let browser: LaunchedBrowser;
  let store: Store;

  beforeAll(async () => {
    app = await startTestApp({}, { workers: false });
    store = await app.services.db.store.create({ data: { platform: "woocommerce", domain: "priv-browser.example.com", name: "Navegador" } });
    const c = await app.services.db.customer.create({ data: { storeId: store.id, platformId: "1", email: "a@example.com" } });
    await app.services.db.privacyRequest.create({ data: { storeId: store.id, kind: "data_request", source: "shopify", dedupeKey: "r1", customerId: c.id, status: "done", export: { ok: true } } });
    browser = await launchBrowser({ locale: "pt-BR" });
    const [name, value] = (await adminCookieFor(app.services, store.id)).split("=") as [string, string];
    await browser.context.addCookies([{ name, value, url: app.url }]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  // One retry: on a cold Vite cache (a fresh CI clone) two test apps optimising dependencies at
  // once can make the dev server reload this page mid-test; the second attempt finds it warm.
  it("edits retention from the keyboard, with the error shown at the field", { retry: 1, timeout: 120_000 }, async () => {
    await app.services.db.store.update({ where: { id: store.id }, data: { settings: {} } }); // a retry starts from the same place
    const page = await browser.context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${app.url}/app/settings/privacy`);
    const field = page.getByLabel("Guardar payloads brutos de webhooks e eventos de navegação da loja por (dias)");
    await field.waitFor();
    expect(await field.inputValue()).toBe("7");
    await field.focus();
    await field.fill("400");
    await page.keyboard.press("Enter");
    await page.getByText("A retenção deve ser um número inteiro de dias entre 1 e 365.").waitFor();
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect((await app.services.db.store.findUniqueOrThrow({ where: { id: store.id } })).settings).toEqual({});
    await field.fill("14");
    await page.keyboard.press("Enter");
    await page.getByText("Retenção alterada para 14 dias.").waitFor();
    expect((await app.services.db.store.findUniqueOrThrow({ where: { id: store.id } })).settings).toEqual({ retentionDays: 14 });
    const link = page.getByRole("link", { name: /Baixar JSON/ });
    expect(await link.getAttribute("href")).toMatch(/^\/app\/customers\/\d+\/data\.json\?request=\d+$/);
    await page.close();
  });
});

// The segment builder in a real Chromium against the real app: the live count follows edits (a
// condition added, a value typed in reais, a group negated), then saving materialises the segment
// and opens its page with the members.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { describeWithChromium, launchBrowser, type LaunchedBrowser } from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { order } from "../support/analytics-data.ts";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";

let app: TestApp | undefined;
let browser: LaunchedBrowser | undefined;
let page: Page;
let storeId: number;

describeWithChromium("segment builder in Chromium", () => {
  beforeAll(async () => {
    app = await startTestApp({}, { workers: false });
    const { db } = app.services;
    storeId = (await db.store.create({ data: { platform: "shopify", domain: "builder.myshopify.com", name: "Loja", currency: "BRL", locale: "pt-BR" } })).id;
    await applyChanges(db, storeId, [
      order({ id: "1", customer: "ana", placedAt: "2026-05-01T12:00:00Z", totalMinor: 20_000n }),
      order({ id: "2", customer: "bia", placedAt: "2026-05-02T12:00:00Z", totalMinor: 5_000n }),
      order({ id: "3", customer: "caio", placedAt: "2026-05-03T12:00:00Z", totalMinor: 15_000n }),
    ]);
    browser = await launchBrowser({ locale: "pt-BR" });
    page = await browser.context.newPage();
    await page.goto(`${app.url}/login`);
    await page.locator('input[name="password"]').fill("test-password-123");
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith("/app")), page.locator('input[name="password"]').press("Enter")]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("counts live while editing, then saves and lists the members", async () => {
    await page.goto(`${app!.url}/app/segments/new`);
    const live = page.locator('[aria-live="polite"]');
    await expect.poll(() => live.textContent(), { timeout: 60_000 }).toBe("3 clientes atendem");

    await page.getByRole("combobox", { name: "Adicionar condição" }).selectOption("totalSpent");
    await page.getByRole("button", { name: "Adicionar condição" }).click();
    await page.getByRole("spinbutton", { name: /Total gasto/ }).fill("100");
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toBe("2 clientes atendem");

    // NOT around the whole rule: the complement.
    await page.getByRole("checkbox", { name: /^NÃO/ }).first().check();
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toBe("1 cliente atende");
    await page.getByRole("checkbox", { name: /^NÃO/ }).first().uncheck();
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toBe("2 clientes atendem");

    await page.getByRole("textbox", { name: "Nome" }).fill("Gastam bem");
    await Promise.all([page.waitForURL(/\/app\/segments\/\d+\?saved=1$/, { timeout: 30_000 }), page.getByRole("button", { name: "Salvar segmento" }).click()]);
    await expect.poll(() => page.getByText("Segmento salvo: 2 clientes.").count(), { timeout: 30_000 }).toBe(1);
    const links = page.locator('a[href^="/app/customers/"]');
    expect(await links.count()).toBe(2);
    const saved = await app!.services.db.segment.findFirstOrThrow({ where: { storeId, name: "Gastam bem" } });
    expect(saved.memberCount).toBe(2);
  }, 180_000);
});

// The import/export page in a real Chromium: upload a CSV, see the dry run (counts, the broken row
// by line), choose "only valid rows", import, and download the customer CSV (BOM, pt-BR headers);
// the API and Mailchimp settings pages hydrate without errors.
import fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, launchBrowser, type LaunchedBrowser } from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

const FILE = [
  "Nome;E-mail;CPF;Pedido;Data;Produto;Qtd;Preço unitário;Pagamento",
  "Ana Souza;ana@example.com;529.982.247-25;V1;31/01/2026;Caderno;2;12,50;Pix",
  "Bruno;bruno@example;;V2;01/02/2026;Lápis;1;1,00;Dinheiro",
  "Carla;carla@example.com;;V3;01/02/2026;Borracha;1;2,00;Cartão",
].join("\n");

describeWithChromium("import page in Chromium", () => {
  let app: TestApp;
  let browser: LaunchedBrowser;
  let storeId: number;
  beforeAll(async () => {
    app = await startTestApp({}, { workers: false });
    storeId = (await app.services.db.store.create({ data: { platform: "woocommerce", domain: "imp-browser.example", name: "Loja" } })).id;
    browser = await launchBrowser({ locale: "pt-BR" });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("previews, imports the valid rows and downloads the CSV", async () => {
    const page = await browser.context.newPage();
    page.on("console", (m) => m.type() === "error" && console.log("browser:", m.text()));
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${app.url}/login`);
    await page.fill('input[name="password"]', "test-password-123");
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    await page.goto(`${app.url}/app/import`, { waitUntil: "networkidle", timeout: 60_000 });
    // Hydrated: React has attached the drop zone's handlers (Vite dev on a busy machine is slow).
    await page.waitForFunction(() => Object.keys(document.querySelector('input[type="file"]') ?? {}).some((k) => k.startsWith("__react")), null, { timeout: 60_000 });
    await page.locator('input[type="file"]').setInputFiles({ name: "vendas.csv", mimeType: "text/csv", buffer: Buffer.from(FILE) });
    await expect.poll(() => page.locator("#import-counts").textContent({ timeout: 5_000 }).catch(() => null), { timeout: 60_000 }).toContain("3 linhas: 2 válidas, 1 problemas");
    await expect.poll(() => page.getByText("Linha 3 · E-mail “bruno@example”: e-mail inválido").count()).toBe(1);
    const importButton = page.getByRole("button", { name: /^Importar/ });
    expect(await importButton.isDisabled()).toBe(true);
    await page.getByLabel("Importar só as linhas válidas").check({ force: true });
    await expect.poll(() => importButton.isDisabled(), { timeout: 30_000 }).toBe(false);
    await importButton.click();
    await expect.poll(() => page.locator("#import-done").textContent(), { timeout: 30_000 }).toContain("2 clientes criados");
    expect(await app.services.db.customer.count({ where: { storeId } })).toBe(2);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Baixar CSV" }).click()]);
    const bytes = fs.readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString("utf8").slice(1);
    expect(text.split("\r\n")[0]).toMatch(/^Id;Id na plataforma;Nome;Sobrenome;E-mail;/);
    expect(text).toContain("ana@example.com");
    expect(text.split("\r\n").filter(Boolean)).toHaveLength(3);

    // The API and Mailchimp settings pages hydrate too (no server-only code in their browser bundle).
    for (const path of ["/app/settings/api", "/app/settings/mailchimp"]) {
      await page.goto(`${app.url}${path}`, { waitUntil: "networkidle", timeout: 60_000 });
      await page.waitForFunction(() => Object.keys(document.querySelector("input") ?? {}).some((k) => k.startsWith("__react")), null, { timeout: 60_000 });
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

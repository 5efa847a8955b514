// Editing a follow-up flow in a real Chromium against `npm start` (embedded PostgreSQL, demo
// store): open Follow-ups, open a flow, change the first step's delay and its e-mail subject in
// pt-BR and in English and watch the live preview follow, save, reload and find the changes kept,
// turn the flow on from the list, point the store's e-mail at a real SMTP server (smtp-server on
// a local port) and send a test of the edited step that arrives there with the new subject.
// Screenshots in test-results/screenshots/flow-*.png.
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { describeWithChromium, launchBrowser, sequentialSteps, stepSlug, waitForHydrated, type LaunchedBrowser } from "#test/support/browser.ts";
import { PROJECT_ROOT, startAppProcess, type AppProcess } from "#test/support/app-process.ts";
import { startSmtpTestServer, type SmtpTestServer } from "#test/support/smtp-test-server.ts";

const SHOTS = path.join(PROJECT_ROOT, "test-results/screenshots");
const SUBJECT_PT = "Seu carrinho ainda está aqui, {{firstName}} — teste e2e";
const SUBJECT_EN = "Your cart is still here, {{firstName}} — e2e test";
const DELAY = "7";

describeWithChromium("flow editor in a browser", () => {
  let app: AppProcess | undefined;
  let browser: LaunchedBrowser | undefined;
  let smtp: SmtpTestServer | undefined;
  let page: Page;
  let flowUrl = "";
  let flowName = "";
  const step = sequentialSteps(async (name) => page?.screenshot({ path: path.join(SHOTS, `failed-flow-${stepSlug(name)}.png`), fullPage: true }));
  const hydrated = (selector: string) => waitForHydrated(page, selector);

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const previewHeading = () => page.locator("h3", { hasText: /^Pré-visualização:|^Preview:/ }).first();
  const previewFrame = () => page.frameLocator('iframe[title="Pré-visualização"]');

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const [a, b, s] = await Promise.allSettled([startAppProcess(), launchBrowser({ locale: "pt-BR" }), startSmtpTestServer()]);
    if (a.status === "fulfilled") app = a.value;
    if (b.status === "fulfilled") browser = b.value;
    if (s.status === "fulfilled") smtp = s.value;
    for (const r of [a, b, s]) if (r.status === "rejected") throw r.reason;
    page = await browser!.context.newPage();
    // A busy 2-core machine and a cold Vite cache make the first pages slow.
    page.setDefaultTimeout(60_000);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await smtp?.close();
  });

  step("logs in and opens a flow from Follow-ups", async () => {
    await page.goto(`${app!.url}/app/flows`, { timeout: 180_000 });
    await hydrated('input[name="password"]');
    await page.locator('input[name="password"]').fill(app!.adminPassword);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname.startsWith("/app"));
    if (new URL(page.url()).pathname !== "/app/flows") await page.goto(`${app!.url}/app/flows`);
    await hydrated(".Polaris-IndexTable");
    const link = page.locator('.Polaris-IndexTable a[href^="/app/flows/"]').first();
    flowName = (await link.innerText()).trim();
    expect(flowName).not.toBe("");
    await shot("flow-list");
    await link.click();
    await page.waitForURL((u) => /^\/app\/flows\/\d+$/.test(u.pathname));
    flowUrl = page.url();
    await hydrated('input[type="number"]');
    expect(await page.locator("h1").first().innerText()).toContain(flowName);
  });

  step("changes the first step's delay and subject and sees the preview follow, in pt-BR and English", async () => {
    const delay = page.getByLabel("Enviar após (horas desde o gatilho)");
    await delay.fill(DELAY);
    // The step's tab shows the new delay.
    await page.getByRole("button", { name: `Etapa 1 · ${DELAY} h` }).waitFor();
    await page.getByLabel("Idioma da pré-visualização").selectOption("pt-BR");
    const subject = page.getByLabel("Assunto", { exact: true });
    await subject.fill(SUBJECT_PT);
    // The preview renders the subject with sample data: {{firstName}} is filled in.
    await expect.poll(async () => (await previewHeading().innerText()).trim()).toMatch(/^Pré-visualização: Seu carrinho ainda está aqui, .+ — teste e2e$/);
    expect(await previewHeading().innerText()).not.toContain("{{firstName}}");
    await expect.poll(async () => (await previewFrame().locator("body").innerText()).length).toBeGreaterThan(20);
    const bodyPt = await previewFrame().locator("body").innerText();
    await shot("flow-editor-pt-BR");
    // English: its own subject, its own preview; pt-BR's stays as typed.
    await page.getByLabel("Idioma da pré-visualização").selectOption("en");
    await subject.fill(SUBJECT_EN);
    await expect.poll(async () => (await previewHeading().innerText()).trim()).toMatch(/^Pré-visualização: Your cart is still here, .+ — e2e test$/);
    // The rendered message itself switched language too.
    await expect.poll(async () => await previewFrame().locator("body").innerText()).not.toBe(bodyPt);
    await shot("flow-editor-en");
    await page.getByLabel("Idioma da pré-visualização").selectOption("pt-BR");
    expect(await subject.inputValue()).toBe(SUBJECT_PT);
  });

  step("saves, and after a reload the changes are kept", async () => {
    await page.getByRole("button", { name: "Salvar" }).first().click();
    await page.locator(".Polaris-Banner", { hasText: "Régua salva." }).waitFor();
    await page.goto(flowUrl);
    await hydrated('input[type="number"]');
    expect(await page.getByLabel("Enviar após (horas desde o gatilho)").inputValue()).toBe(DELAY);
    await page.getByLabel("Idioma da pré-visualização").selectOption("pt-BR");
    expect(await page.getByLabel("Assunto", { exact: true }).inputValue()).toBe(SUBJECT_PT);
    await page.getByLabel("Idioma da pré-visualização").selectOption("en");
    expect(await page.getByLabel("Assunto", { exact: true }).inputValue()).toBe(SUBJECT_EN);
    await shot("flow-editor-saved");
  });

  step("turns the flow on from the list", async () => {
    await page.goto(`${app!.url}/app/flows`);
    await hydrated(".Polaris-IndexTable");
    const row = page.locator(".Polaris-IndexTable__TableRow", { has: page.locator(`a[href="${new URL(flowUrl).pathname}"]`) });
    if (await row.getByRole("button", { name: `Desativar: ${flowName}` }).count()) {
      await row.getByRole("button", { name: `Desativar: ${flowName}` }).click();
      await row.getByRole("button", { name: `Ativar: ${flowName}` }).waitFor();
    }
    await row.getByRole("button", { name: `Ativar: ${flowName}` }).click();
    await row.getByRole("button", { name: `Desativar: ${flowName}` }).waitFor();
    await page.reload();
    await hydrated(".Polaris-IndexTable");
    await row.getByRole("button", { name: `Desativar: ${flowName}` }).waitFor();
    await shot("flow-list-enabled");
  });

  step("sends a test of the edited step through a real SMTP server", async () => {
    await page.goto(`${app!.url}/app/settings/email`);
    await hydrated('input[name="host"]');
    await page.getByLabel("Nome do remetente").fill("Loja Demo");
    await page.getByLabel("Endereço do remetente").fill("loja@example.com");
    await page.getByLabel("Servidor SMTP").fill("127.0.0.1");
    await page.getByLabel("Porta", { exact: true }).fill(String(smtp!.port));
    await page.getByRole("button", { name: "Salvar" }).first().click();
    await page.locator(".Polaris-Banner", { hasText: "Configurações de e-mail salvas." }).waitFor();
    await page.goto(flowUrl);
    await hydrated('input[type="number"]');
    await page.getByLabel("Idioma da pré-visualização").selectOption("pt-BR");
    await page.getByLabel("Enviar o teste para").fill("lojista@example.com");
    await page.getByRole("button", { name: "Enviar teste" }).click();
    await page.locator(".Polaris-Banner", { hasText: "Mensagem de teste enviada para lojista@example.com." }).waitFor();
    const [mail] = await smtp!.waitFor(1, 30_000);
    expect(mail!.to).toEqual(["lojista@example.com"]);
    expect(mail!.parsed.subject).toMatch(/Seu carrinho ainda está aqui, .+ — teste e2e/);
    await shot("flow-test-sent");
  });
});

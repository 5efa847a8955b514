// The storefront block's real script in a real Chromium, on a static Shopify-like product page
// served by this test: it renders the recommended items with the block's settings, "add all" posts
// the variants to the Ajax Cart API, clicks are tracked, and an unreachable app leaves no trace.
import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, launchBrowser, type LaunchedBrowser } from "../support/browser.ts";

const script = fs.readFileSync(new URL("../../extensions/compre-junto/assets/compre-junto.js", import.meta.url), "utf8");
const answer = {
  productIds: ["100"],
  personalised: false,
  items: [
    { id: "101", title: "Filtro de papel", url: "/products/filtro", imageUrl: null, priceMinor: 1290, currency: "BRL", variantId: "1011", reason: "pair" },
    { id: "102", title: "Caneca", url: "/products/caneca", imageUrl: null, priceMinor: 3500, currency: "BRL", variantId: "1021", reason: "pair" },
  ],
};

function page(endpoint: string): string {
  return `<!doctype html><html lang="pt-BR"><body><main><h1>Café</h1>
  <div class="caderninho-compre-junto" hidden data-caderninho-compre-junto data-platform="shopify"
       data-endpoint="${endpoint}" data-track="/apps/caderninho/track" data-cart-add="/cart/add.js"
       data-product-id="100" data-heading="Leve junto" data-limit="4" data-layout="grid"
       data-show-prices="true" data-add-all="true" data-locale="pt-BR"></div>
  <script src="/assets/compre-junto.js" defer></script></main></body></html>`;
}

let server: http.Server;
let base = "";
const cartPosts: unknown[] = [];
const tracked: { event: string; productIds: string[] }[] = [];
const queries: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (url.pathname === "/products/cafe") return res.writeHead(200, { "Content-Type": "text/html" }).end(page("/apps/caderninho/recommendations"));
      if (url.pathname === "/products/offline") return res.writeHead(200, { "Content-Type": "text/html" }).end(page("http://127.0.0.1:9/apps/caderninho/recommendations"));
      if (url.pathname === "/products/broken") return res.writeHead(200, { "Content-Type": "text/html" }).end(page("/apps/caderninho/broken"));
      if (url.pathname === "/assets/compre-junto.js") return res.writeHead(200, { "Content-Type": "application/javascript" }).end(script);
      if (url.pathname === "/apps/caderninho/recommendations") {
        queries.push(url.search);
        return res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(answer));
      }
      if (url.pathname === "/apps/caderninho/broken") return res.writeHead(502).end("Bad gateway");
      if (url.pathname === "/apps/caderninho/track") {
        tracked.push(JSON.parse(body) as { event: string; productIds: string[] });
        return res.writeHead(204).end();
      }
      if (url.pathname === "/cart/add.js" && req.method === "POST") {
        cartPosts.push(JSON.parse(body));
        return res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ items: [] }));
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

describeWithChromium("compre junto block in Chromium", () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser({ locale: "pt-BR" });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders the items, adds all to the cart through /cart/add.js, tracks the add", async () => {
    const p = await browser.context.newPage();
    await p.goto(`${base}/products/cafe`);
    await p.locator(".cj__item").first().waitFor();
    expect(await p.locator(".cj__heading").textContent()).toBe("Leve junto");
    expect(await p.locator(".cj__title").allTextContents()).toEqual(["Filtro de papel", "Caneca"]);
    expect(await p.locator(".caderninho-compre-junto").isVisible()).toBe(true);
    expect(queries.at(-1)).toBe("?product_id=100&limit=4");
    await p.locator("[data-cj-add-all]").click();
    await p.locator(".cj__status", { hasText: "Adicionado ao carrinho" }).waitFor({ state: "attached" });
    expect(cartPosts).toEqual([{ items: [{ id: 1011, quantity: 1 }, { id: 1021, quantity: 1 }] }]);
    await expect.poll(() => tracked.map((t) => `${t.event}:${t.productIds.join(",")}`)).toEqual(["add_to_cart:101,102"]);
    // One item's own button adds that item only; following a product link is tracked as a click.
    await p.locator('[data-cj-add="102"]').click();
    await expect.poll(() => cartPosts.length).toBe(2);
    expect(cartPosts[1]).toEqual({ items: [{ id: 1021, quantity: 1 }] });
    await p.locator(".cj__link").first().click();
    await expect.poll(() => tracked.map((t) => `${t.event}:${t.productIds.join(",")}`)).toEqual(["add_to_cart:101,102", "add_to_cart:102", "click:101"]);
    await p.close();
  });

  it("renders nothing when the app is unreachable or answers an error", async () => {
    for (const path of ["/products/offline", "/products/broken"]) {
      const p = await browser.context.newPage();
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push(e.message));
      await p.goto(`${base}${path}`);
      await p.waitForFunction(() => document.querySelector("[data-cj-loaded]") !== null);
      await p.waitForTimeout(300);
      expect(await p.locator(".caderninho-compre-junto").isVisible()).toBe(false);
      expect(await p.locator(".cj__item").count()).toBe(0);
      expect(errors).toEqual([]);
      await p.close();
    }
  });
});

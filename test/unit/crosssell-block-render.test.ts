// The storefront block's pure rendering, run from the real asset file in a bare JS context (no DOM):
// what the shopper sees for an answer, escaping of shop data, and nothing at all for no items.
import fs from "node:fs";
import vm from "node:vm";
import { describe, expect, it } from "vitest";

interface Api {
  render(data: unknown, settings: Record<string, unknown>): string;
  formatMoney(minor: number, currency: string, locale: string): string;
}

function loadBlock(): Api {
  const code = fs.readFileSync(new URL("../../extensions/compre-junto/assets/compre-junto.js", import.meta.url), "utf8");
  const context = vm.createContext({ Intl });
  vm.runInContext(code, context);
  return (context as unknown as { CaderninhoCompreJunto: Api }).CaderninhoCompreJunto;
}

const items = [
  { id: "101", title: "Filtro de papel", url: "/products/filtro", imageUrl: "https://cdn.example.com/f.jpg", priceMinor: 1290, currency: "BRL", variantId: "1011", reason: "pair" },
  { id: "102", title: 'Caneca <script>alert("x")</script>', url: "javascript:alert(1)", imageUrl: null, priceMinor: 3500, currency: "BRL", variantId: "1021", reason: "pair" },
];
const settings = { heading: "", limit: 4, layout: "grid", showPrices: true, addAll: true, locale: "pt-BR", platform: "shopify" };

describe("compre junto block rendering", () => {
  const block = loadBlock();

  it("renders each item with theme classes, prices, per-item and add-all buttons", () => {
    const html = block.render({ items }, settings);
    expect(html).toContain('<h2 class="cj__heading h2">Compre junto</h2>');
    expect(html.match(/class="cj__item grid__item/g)).toHaveLength(2);
    expect(html).toContain('href="/products/filtro"');
    expect(html).toContain(block.formatMoney(1290, "BRL", "pt-BR"));
    expect(html).toContain(`Total: ${block.formatMoney(4790, "BRL", "pt-BR")}`);
    expect(html).toContain("Adicionar todos ao carrinho");
    expect(html.match(/data-cj-add="/g)).toHaveLength(2);
  });

  it("escapes shop data and refuses non-http links", () => {
    const html = block.render({ items }, settings);
    expect(html).not.toContain("<script>");
    expect(html).toContain("Caneca &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).not.toContain("javascript:");
  });

  it("follows the merchant's settings: heading, limit, list layout, no prices, no add-all; English", () => {
    const html = block.render({ items }, { ...settings, heading: "Leve também", limit: 1, layout: "list", showPrices: false, addAll: false, locale: "en" });
    expect(html).toContain("Leve também");
    expect(html).toContain("cj--list");
    expect(html.match(/class="cj__item /g)).toHaveLength(1);
    expect(html).not.toContain("price-item");
    expect(html).not.toContain("data-cj-add-all");
    expect(html).toContain(">Add<");
  });

  it("renders nothing for no items or a malformed answer", () => {
    expect(block.render({ items: [] }, settings)).toBe("");
    expect(block.render({ error: "x" }, settings)).toBe("");
    expect(block.render(null, settings)).toBe("");
  });

  it("formats minor units with the currency's own decimals", () => {
    expect(block.formatMoney(1990, "BRL", "pt-BR")).toMatch(/^R\$\s19,90$/);
    expect(block.formatMoney(1990, "JPY", "en-US")).toBe("¥1,990");
  });
});

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signAppProxyQuery, verifyAppProxyQuery } from "../../adapters/shopify/app-proxy-signature.ts";

const SECRET = "hush";
const NOW = 1_763_900_000_000;

function signed(params: [string, string][]): URLSearchParams {
  const q = new URLSearchParams(params);
  q.set("signature", signAppProxyQuery(q, SECRET));
  return q;
}

describe("app proxy signature", () => {
  it("matches Shopify's documented algorithm (sorted key=value, no separator, hex)", () => {
    const q = new URLSearchParams("extra=1&extra=2&shop=loja.myshopify.com&path_prefix=%2Fapps%2Fcaderninho&timestamp=1763900000&logged_in_customer_id=");
    const message = "extra=1,2logged_in_customer_id=path_prefix=/apps/caderninhoshop=loja.myshopify.comtimestamp=1763900000";
    expect(signAppProxyQuery(q, SECRET)).toBe(createHmac("sha256", SECRET).update(message).digest("hex"));
  });

  it("accepts a good signature and reads the shop and customer", () => {
    const q = signed([["shop", "loja.myshopify.com"], ["timestamp", String(NOW / 1000)], ["logged_in_customer_id", "42"], ["product_id", "7"]]);
    expect(verifyAppProxyQuery(q, SECRET, NOW)).toEqual({ ok: true, shop: "loja.myshopify.com", loggedInCustomerId: "42" });
  });

  it("refuses missing, wrong and replayed signatures, and tampered parameters", () => {
    const base: [string, string][] = [["shop", "loja.myshopify.com"], ["timestamp", String(NOW / 1000)], ["product_id", "7"]];
    expect(verifyAppProxyQuery(new URLSearchParams(base), SECRET, NOW)).toEqual({ ok: false, reason: "missing app proxy signature" });
    const q = signed(base);
    expect(verifyAppProxyQuery(q, "other-secret", NOW)).toMatchObject({ ok: false, reason: "invalid app proxy signature" });
    const tampered = new URLSearchParams(q);
    tampered.set("product_id", "8");
    expect(verifyAppProxyQuery(tampered, SECRET, NOW)).toMatchObject({ ok: false, reason: "invalid app proxy signature" });
    const notHex = new URLSearchParams(q);
    notHex.set("signature", "zz");
    expect(verifyAppProxyQuery(notHex, SECRET, NOW).ok).toBe(false);
    expect(verifyAppProxyQuery(q, SECRET, NOW + 91_000)).toMatchObject({ ok: false, reason: "app proxy timestamp missing or too far from now" });
    const twice = new URLSearchParams(q);
    twice.append("shop", "outra.myshopify.com");
    expect(verifyAppProxyQuery(twice, SECRET, NOW)).toMatchObject({ ok: false, reason: "query parameter shop given more than once" });
  });
});

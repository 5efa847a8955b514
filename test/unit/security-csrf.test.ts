// The CSRF decision on plain values: which requests must prove they come from the app's origin.
import { describe, expect, it } from "vitest";
import { checkCsrf } from "../../app/auth/csrf.server.ts";

const OWN = ["http://localhost:3000", "https://crm.example.com"];
const req = (method: string, path: string, headers: Record<string, string> = {}) => checkCsrf({ method, path, headers }, OWN);

describe("CSRF check", () => {
  it("lets safe methods through whatever their origin", () => {
    for (const m of ["GET", "HEAD", "OPTIONS"]) expect(req(m, "/app", { origin: "https://evil.example" })).toEqual({ ok: true });
  });

  it("requires the app's own origin for state-changing admin requests", () => {
    expect(req("POST", "/app/sync", { origin: "https://crm.example.com" })).toEqual({ ok: true });
    expect(req("POST", "/app/sync", { referer: "http://localhost:3000/app/sync" })).toEqual({ ok: true });
    expect(req("DELETE", "/app/segments/1", { origin: "https://evil.example" })).toMatchObject({ ok: false, reason: expect.stringMatching(/evil\.example/) });
    expect(req("POST", "/app/sync", { referer: "https://evil.example/x" }).ok).toBe(false);
    expect(req("POST", "/app/sync", { origin: "null" }).ok).toBe(false);
    expect(req("POST", "/app/sync", { origin: "https://crm.example.com.evil.example" }).ok).toBe(false);
    expect(req("PUT", "/login", { "sec-fetch-site": "cross-site" }).ok).toBe(false);
    // Origin wins over Referer when both are sent.
    expect(req("POST", "/app/sync", { origin: "https://evil.example", referer: "https://crm.example.com/app" }).ok).toBe(false);
  });

  it("does not check requests that carry no ambient credentials or verify their own signatures", () => {
    expect(req("POST", "/app/sync")).toEqual({ ok: true }); // no browser headers: not a forged form
    expect(req("POST", "/app/sync", { origin: "https://admin.shopify.com", authorization: "Bearer eyJ..." })).toEqual({ ok: true });
    for (const p of ["/webhooks/shopify", "/webhooks/woocommerce/3", "/pixel/events", "/storefront/track", "/woocommerce/callback", "/proxy/track"]) {
      expect(req("POST", p, { origin: "https://some-shop.example" }), p).toEqual({ ok: true });
    }
    // A prefix is not a loophole: /webhooksX is not exempt.
    expect(req("POST", "/webhooksX", { origin: "https://evil.example" }).ok).toBe(false);
  });
});

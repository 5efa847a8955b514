// The logger's redaction, for the secret and personal field names the privacy work added (tokens,
// provider keys, WooCommerce keys, CPF/CNPJ) and one level deeper than the top-level names.
import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "../../app/logger.server.ts";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  return { log: createLogger("info", sink), out: () => lines.join("") };
}

describe("logger redaction (privacy additions)", () => {
  it("censors tokens, provider and platform keys, CPF/CNPJ, at the top level and nested", () => {
    const { log, out } = capture();
    log.info(
      {
        token: "tok_top",
        session: { refreshToken: "shprt_1", token: "tok_nested" },
        refresh_token: "rt_2",
        provider: { api_key: "SG.key", apiSecret: "mandrill-secret", smtp: { password: "smtp-pass", apiKey: "deep-key" } },
        woo: { consumerKey: "ck_0123456789abcdef0123", consumer_key: "ck_fedcba9876543210fedc", webhookSecret: "whsec" },
        payload: { customer: { email: "deep@example.com", phone: "+5521988887777", cpf: "52998224725", taxId: "39053344705" } },
        billing: { cnpj: "11222333000181" },
        encryptionKey: "base64key==",
        storeId: 7,
      },
      "privacy event",
    );
    const text = out();
    for (const secret of ["tok_top", "shprt_1", "tok_nested", "rt_2", "SG.key", "mandrill-secret", "smtp-pass", "deep-key", "ck_0123456789abcdef0123", "ck_fedcba9876543210fedc", "whsec", "deep@example.com", "+5521988887777", "52998224725", "39053344705", "11222333000181", "base64key=="]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(text).storeId).toBe(7);
    expect(text).toContain("privacy event");
  });

  it("an Error's message is kept (it must not carry secrets: our code never puts them there)", () => {
    const { log, out } = capture();
    log.error({ err: new Error("boom"), accessToken: "shpat_x" }, "failed");
    expect(out()).toContain("boom");
    expect(out()).not.toContain("shpat_x");
  });
});

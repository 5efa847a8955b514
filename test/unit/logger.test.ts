import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "../../app/logger.server.ts";

describe("logger", () => {
  it("never writes secrets or personal data", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
    const log = createLogger("info", sink);
    log.info(
      {
        store: { accessToken: "shpat_123", credentials: "enc:abc" },
        customer: { email: "ana@example.com", phone: "+5511999990000", taxId: "12345678909", city: "Recife" },
        password: "hunter22",
        headers: { authorization: "Bearer xyz", cookie: "__caderninho=abc" },
      },
      "something happened",
    );
    const out = lines.join("");
    for (const secret of ["shpat_123", "enc:abc", "ana@example.com", "+5511999990000", "12345678909", "hunter22", "Bearer xyz", "__caderninho=abc"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("Recife");
    expect(out).toContain("[redacted]");
  });
});

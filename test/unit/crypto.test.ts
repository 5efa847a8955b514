import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { decryptSecret, encryptSecret, needsReencryption } from "../../app/core/crypto.ts";

const k1 = randomBytes(32).toString("base64");
const k2 = randomBytes(32).toString("base64");

describe("secrets at rest", () => {
  it("round-trips and never repeats a ciphertext", () => {
    const a = encryptSecret("cs_0123456789abcdef", { current: k1 });
    const b = encryptSecret("cs_0123456789abcdef", { current: k1 });
    expect(a).not.toBe(b);
    expect(a).not.toContain("cs_0123");
    expect(decryptSecret(a, { current: k1 })).toBe("cs_0123456789abcdef");
  });

  it("detects tampering", () => {
    const env = encryptSecret("shpat_secret", { current: k1 });
    const parts = env.split(":");
    parts[4] = Buffer.from("shpat_secreX").toString("base64url");
    expect(() => decryptSecret(parts.join(":"), { current: k1 })).toThrow();
  });

  it("decrypts old values during a key rotation and says they need re-encryption", () => {
    const old = encryptSecret("ck_legacy", { current: k1 });
    const keys = { current: k2, previous: k1 };
    expect(decryptSecret(old, keys)).toBe("ck_legacy");
    expect(needsReencryption(old, keys)).toBe(true);
    expect(needsReencryption(encryptSecret("ck_legacy", keys), keys)).toBe(false);
    expect(() => decryptSecret(old, { current: k2 })).toThrow(/not configured/);
  });
});

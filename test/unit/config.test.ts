import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/config.server.ts";

describe("loadConfig", () => {
  it("gives working defaults for a fresh clone (standalone, embedded PostgreSQL, demo store)", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DEMO_STORE).toBe(true);
    expect(c.shopifyEnabled).toBe(false);
    expect(c.appUrl).toBe("http://localhost:3000");
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).PORT).toBe(3000);
  });

  it("stops with one line naming a malformed variable and its value", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: "eighty" });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg.split("\n")).toHaveLength(1);
      expect(msg).toMatch(/^Configuration error: PORT .*\(got "eighty"\)$/);
    }
  });

  it("names every problem, one per line, and never prints secret values", () => {
    try {
      loadConfig({ DATABASE_URL: "mysql://x", ADMIN_PASSWORD: "short", DEMO_STORE: "maybe" });
      expect.unreachable();
    } catch (e) {
      const lines = (e as Error).message.split("\n");
      expect(lines).toHaveLength(3);
      expect(lines.find((l) => l.includes("DATABASE_URL"))).toMatch(/postgres:\/\//);
      const pw = lines.find((l) => l.includes("ADMIN_PASSWORD"))!;
      expect(pw).toMatch(/at least 8 characters/);
      expect(pw).not.toContain("short");
      expect(lines.find((l) => l.includes("DEMO_STORE"))).toContain('"maybe"');
    }
  });

  it("requires the Shopify secret and public URL once an API key is set", () => {
    expect(() => loadConfig({ SHOPIFY_API_KEY: "abc" })).toThrow(/SHOPIFY_API_SECRET is required when SHOPIFY_API_KEY is set/);
    const c = loadConfig({ SHOPIFY_API_KEY: "abc", SHOPIFY_API_SECRET: "s3cr3t", APP_URL: "https://crm.example.com/" });
    expect(c.shopifyEnabled).toBe(true);
    expect(c.appUrl).toBe("https://crm.example.com");
  });

  it("requires an encryption key in production and checks its size", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/ENCRYPTION_KEY is required in production/);
    expect(() => loadConfig({ ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") })).toThrow(/ENCRYPTION_KEY must be 32 bytes/);
    expect(loadConfig({ NODE_ENV: "production", ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") }).NODE_ENV).toBe("production");
  });
});

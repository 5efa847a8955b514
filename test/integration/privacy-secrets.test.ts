// Secrets at rest: Shopify session tokens are encrypted by the session storage wrapper (the Prisma
// storage alone writes them in plain text), and the key-rotation job moves every envelope written
// with ENCRYPTION_KEY_OLD — store credentials, session tokens, keys nested in store settings —
// to the current key, and encrypts tokens left in plain text by older versions.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { decryptSecret, encryptSecret, needsReencryption } from "../../app/core/crypto.ts";
import { EncryptedSessionStorage, isEncrypted, keyringOf, readStoredToken } from "../../app/auth/session-crypto.server.ts";
import { rotateSecrets } from "../../app/jobs/privacy-jobs.server.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

const OLD = randomBytes(32).toString("base64");
const NEW = randomBytes(32).toString("base64");
let services: TestServices;

beforeAll(async () => {
  services = await startTestServices({ ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_OLD: OLD });
});
afterAll(async () => services?.cleanup());

describe("secrets at rest", () => {
  it("the session storage wrapper encrypts Shopify tokens in the Session table and returns them readable", async () => {
    const storage = new EncryptedSessionStorage(new PrismaSessionStorage(services.db), keyringOf(services.secrets));
    const session = new Session({ id: "offline_cifrada.myshopify.com", shop: "cifrada.myshopify.com", state: "s", isOnline: false, accessToken: "shpat_plain_value" });
    session.refreshToken = "shprt_plain_value";
    expect(await storage.storeSession(session)).toBe(true);
    expect(session.accessToken).toBe("shpat_plain_value"); // the caller's object is not changed
    const row = await services.db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.accessToken).not.toContain("shpat_plain_value");
    expect(isEncrypted(row.accessToken)).toBe(true);
    expect(isEncrypted(row.refreshToken!)).toBe(true);
    const loaded = await storage.loadSession(session.id);
    expect(loaded?.accessToken).toBe("shpat_plain_value");
    expect(loaded?.refreshToken).toBe("shprt_plain_value");
    expect((await storage.findSessionsByShop("cifrada.myshopify.com"))[0]?.accessToken).toBe("shpat_plain_value");
    // A row written in plain text before the wrapper existed is still read.
    await services.db.session.create({ data: { id: "offline_antiga.myshopify.com", shop: "antiga.myshopify.com", state: "", accessToken: "shpat_legacy" } });
    expect((await storage.loadSession("offline_antiga.myshopify.com"))?.accessToken).toBe("shpat_legacy");
    expect(readStoredToken("shpat_legacy", keyringOf(services.secrets))).toBe("shpat_legacy");
  });

  it("rotation re-encrypts everything with the newest key, once", async () => {
    const old = { current: OLD };
    const now = { current: NEW };
    const creds = encryptSecret(JSON.stringify({ consumerKey: "ck_x", consumerSecret: "cs_y" }), old);
    const providerKey = encryptSecret("SG.provider-key", old);
    const store = await services.db.store.create({
      data: { platform: "woocommerce", domain: "rotacao.example.com", name: "Rotação", credentials: creds, settings: { email: { provider: "sendgrid", apiKey: providerKey }, retentionDays: 7 } },
    });
    const result = await rotateSecrets(services);
    expect(result.columns).toEqual(expect.arrayContaining(["Store.credentials", "Session.accessToken", "Session.refreshToken"]));
    // store credentials + provider key + the legacy plain session token
    expect(result.reencrypted).toBe(3);
    const after = await services.db.store.findUniqueOrThrow({ where: { id: store.id } });
    expect(needsReencryption(after.credentials!, now)).toBe(false);
    expect(JSON.parse(decryptSecret(after.credentials!, now))).toEqual({ consumerKey: "ck_x", consumerSecret: "cs_y" });
    const settings = after.settings as { email: { apiKey: string; provider: string }; retentionDays: number };
    expect(decryptSecret(settings.email.apiKey, now)).toBe("SG.provider-key");
    expect(settings.email.provider).toBe("sendgrid");
    expect(settings.retentionDays).toBe(7);
    const legacy = await services.db.session.findUniqueOrThrow({ where: { id: "offline_antiga.myshopify.com" } });
    expect(decryptSecret(legacy.accessToken, now)).toBe("shpat_legacy");
    // The old key can now be dropped: everything opens with the new key alone.
    for (const s of await services.db.session.findMany()) expect(() => decryptSecret(s.accessToken, now)).not.toThrow();
    expect(() => decryptSecret(creds, now)).toThrow(/not configured/);
    expect((await rotateSecrets(services)).reencrypted).toBe(0);
  });
});

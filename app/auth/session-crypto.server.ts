// Shopify access and refresh tokens at rest: @shopify/shopify-app-session-storage-prisma writes
// them as plain text, so the storage is wrapped to encrypt them (AES-256-GCM, app/core/crypto.ts)
// before they reach the Session table and to decrypt them on the way out. Rows written before
// this wrapper (plain tokens) are still read, and `rotateSecrets` (app/jobs/privacy-keys.server.ts)
// encrypts them — and re-encrypts everything after an ENCRYPTION_KEY rotation.
import type { Session } from "@shopify/shopify-api";
import type { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { decryptSecret, encryptSecret, type Keyring } from "#app/core/crypto.ts";
import type { Services } from "#app/server/services.server.ts";

export const keyringOf = (secrets: Services["secrets"]): Keyring => ({ current: secrets.encryptionKey, previous: secrets.encryptionKeyOld });

const ENVELOPE = /^v1:[A-Za-z0-9_-]{8}:/;

export const isEncrypted = (value: string): boolean => ENVELOPE.test(value);

/** A token as stored: decrypted if it is an envelope, as-is if it predates encryption. */
export function readStoredToken(value: string, keys: Keyring): string;
export function readStoredToken(value: string | null | undefined, keys: Keyring): string | null;
export function readStoredToken(value: string | null | undefined, keys: Keyring): string | null {
  if (value === null || value === undefined || value === "") return value ?? null;
  return isEncrypted(value) ? decryptSecret(value, keys) : value;
}

type Storage = Pick<PrismaSessionStorage<never>, "storeSession" | "loadSession" | "deleteSession" | "deleteSessions" | "findSessionsByShop">;

export class EncryptedSessionStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly keys: Keyring,
  ) {}

  private seal(session: Session): Session {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(session) as object) as Session, session);
    if (session.accessToken && !isEncrypted(session.accessToken)) copy.accessToken = encryptSecret(session.accessToken, this.keys);
    if (session.refreshToken && !isEncrypted(session.refreshToken)) copy.refreshToken = encryptSecret(session.refreshToken, this.keys);
    return copy;
  }

  private open(session: Session | undefined): Session | undefined {
    if (!session) return session;
    if (session.accessToken) session.accessToken = readStoredToken(session.accessToken, this.keys);
    if (session.refreshToken) session.refreshToken = readStoredToken(session.refreshToken, this.keys);
    return session;
  }

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(this.seal(session));
  }
  async loadSession(id: string): Promise<Session | undefined> {
    return this.open(await this.inner.loadSession(id));
  }
  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }
  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }
  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map((s) => this.open(s)!);
  }
}

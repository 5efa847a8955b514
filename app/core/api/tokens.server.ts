// Per-store API tokens for /api/v1. A token is "cad_" + 32 random bytes (base64url); only its
// sha256 is stored, so a database leak reveals no usable token. The first 12 characters are kept
// in clear as the prefix the settings page lists, so a merchant can tell tokens apart.
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "#app/db/client.server.ts";

const PREFIX = "cad_";
const PREFIX_LENGTH = 12;
/** lastUsedAt is written at most this often per token (one UPDATE per request would be a hot row). */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export async function createApiToken(db: Db, storeId: number, name: string): Promise<{ id: number; token: string; prefix: string }> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const prefix = token.slice(0, PREFIX_LENGTH);
  const row = await db.apiToken.create({ data: { storeId, name, tokenHash: hashApiToken(token), prefix } });
  return { id: row.id, token, prefix };
}

/** Revoke one of the store's tokens; false when the store has no such token. */
export async function revokeApiToken(db: Db, storeId: number, id: number): Promise<boolean> {
  const { count } = await db.apiToken.updateMany({ where: { storeId, id, revokedAt: null }, data: { revokedAt: new Date() } });
  return count === 1;
}

export interface ApiPrincipal {
  storeId: number;
  tokenId: number;
}

/** The store a bearer token belongs to, or null for a missing, unknown or revoked token. */
export async function authenticateApiToken(db: Db, authorization: string | null, now = new Date()): Promise<ApiPrincipal | null> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match || !match[1]!.startsWith(PREFIX)) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashApiToken(match[1]!) }, select: { storeId: true, id: true, revokedAt: true, lastUsedAt: true } });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { storeId_id: { storeId: row.storeId, id: row.id } }, data: { lastUsedAt: now } });
  }
  return { storeId: row.storeId, tokenId: row.id };
}

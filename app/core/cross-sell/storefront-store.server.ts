// The store behind a public storefront token (WooCommerce script, web pixel), briefly cached like
// findStoreId, and the browser origins that store's pages come from (for CORS).
import type { Platform } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";

export interface TokenStore {
  id: number;
  platform: Platform;
  domain: string;
}

const TTL_MS = 60_000;
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const caches = new WeakMap<Db, Map<string, { store: TokenStore; until: number }>>();

export async function findStoreByToken(db: Db, token: string | null): Promise<TokenStore | null> {
  if (!token || !TOKEN.test(token)) return null;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const hit = cache.get(token);
  if (hit && hit.until > Date.now()) return hit.store;
  const store = await db.store.findFirst({ where: { publicToken: token, uninstalledAt: null }, select: { id: true, platform: true, domain: true } });
  if (store) cache.set(token, { store, until: Date.now() + TTL_MS });
  else cache.delete(token);
  return store;
}

/** CORS headers when `origin` is the store's own site (http or https, any port-less host match). */
export function corsFor(store: TokenStore, origin: string | null): Record<string, string> {
  const host = store.domain.split("/")[0]!.toLowerCase();
  if (!origin) return { Vary: "Origin" };
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return { Vary: "Origin" };
  }
  if (originHost !== host && originHost !== `www.${host}` && `www.${originHost}` !== host) return { Vary: "Origin" };
  return { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
}

// Store id by platform + domain, cached briefly: every webhook needs it, and it almost never
// changes. Only found stores are cached, so a store created a moment ago is seen at once.
import type { Platform } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";

const TTL_MS = 60_000;
const caches = new WeakMap<Db, Map<string, { id: number; until: number }>>();

export async function findStoreId(db: Db, platform: Platform, domain: string): Promise<number | null> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const key = `${platform}:${domain}`;
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.id;
  const store = await db.store.findUnique({ where: { platform_domain: { platform, domain } }, select: { id: true } });
  if (store) cache.set(key, { id: store.id, until: Date.now() + TTL_MS });
  else cache.delete(key);
  return store?.id ?? null;
}


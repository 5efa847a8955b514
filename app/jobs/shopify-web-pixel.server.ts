// Activate the behaviour pixel on a Shopify store (after install, and again when our public
// address changes): the pixel's settings carry the store's public key and our event endpoint.
// Idempotent: an existing pixel with the same settings is left alone.
import type { AdminGraphqlClient } from "#adapters/shopify/admin-graphql.server.ts";
import { ensureWebPixel, type WebPixelOutcome } from "#adapters/shopify/web-pixel.server.ts";
import type { Services } from "#app/server/services.server.ts";
import { adminClientForStore } from "./shopify-backfill.server.ts";

/** The address the pixel posts its events to (app/routes/pixel.events.ts). */
export const pixelEndpoint = (appUrl: string) => `${appUrl}/pixel/events`;

export async function installWebPixel(
  services: Pick<Services, "db" | "log" | "config">,
  storeId: number,
  options: { client?: AdminGraphqlClient } = {},
): Promise<WebPixelOutcome | null> {
  const store = await services.db.store.findUnique({ where: { id: storeId } });
  if (!store || store.platform !== "shopify" || store.isDemo || store.uninstalledAt) return null;
  const client = options.client ?? (await adminClientForStore(services, storeId));
  const endpoint = pixelEndpoint(services.config.appUrl);
  const outcome = await ensureWebPixel(client, { storeKey: store.publicToken, endpoint });
  // Merge, don't overwrite: Store.settings holds the merchant's other choices too.
  const record = JSON.stringify({ webPixel: { id: outcome.id, endpoint, at: new Date().toISOString() } });
  await services.db.$executeRaw`UPDATE "Store" SET settings = settings || ${record}::jsonb WHERE id = ${storeId}`;
  services.log.info({ storeId, ...outcome }, "web pixel ready");
  return outcome;
}

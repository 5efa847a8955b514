// Push our segment tags to a WooCommerce store's customers (called by segment refreshes). Guests
// (`guest:<email>`) are not WordPress users and have no meta to write: they are reported, not sent.
import type { Services } from "#app/server/services.server.ts";
import { pushWooSegments, type PushResult } from "#adapters/woocommerce/push-segments.server.ts";
import type { WooClient } from "#adapters/woocommerce/rest-client.server.ts";
import { wooClientForStore } from "./woocommerce-connection.server.ts";

export interface StorePushResult extends PushResult {
  guests: number;
}

/** `tagsByCustomer`: our Customer.id → the customer's complete list of segment tags (empty = none). */
export async function pushSegmentsToWooStore(
  services: Pick<Services, "db" | "secrets">,
  storeId: number,
  tagsByCustomer: ReadonlyMap<number, readonly string[]>,
  opts: { client?: WooClient } = {},
): Promise<StorePushResult> {
  const rows = await services.db.customer.findMany({ where: { storeId, id: { in: [...tagsByCustomer.keys()] } }, select: { id: true, platformId: true } });
  const registered = rows.filter((r) => /^\d+$/.test(r.platformId));
  const client = opts.client ?? (await wooClientForStore(services, storeId));
  const result = await pushWooSegments(
    client,
    registered.map((r) => ({ customerId: Number(r.platformId), tags: [...(tagsByCustomer.get(r.id) ?? [])] })),
  );
  return { ...result, guests: rows.length - registered.length };
}

// Receiving one Shopify webhook once its raw body is read. Order matters: HMAC first (nothing is
// parsed or stored before it passes), then JSON, then store + enqueue and answer 200. Used by the
// fast Express route (app/server/http.server.ts) and by the Remix route (app/routes/webhooks.shopify.ts).
import { verifyShopifyWebhook } from "#adapters/shopify/webhook-verify.ts";
import { receiveWebhook } from "#app/jobs/webhook-intake.server.ts";
import { findStoreId } from "#app/core/store-lookup.server.ts";
import type { Services } from "#app/server/services.server.ts";
import { problem } from "./body.server.ts";

const STORE_INDEPENDENT_TOPICS = new Set(["app/uninstalled", "shop/redact", "customers/redact", "customers/data_request"]);

export async function handleShopifyWebhook(services: Services, headers: Headers, raw: Buffer): Promise<Response> {
  const check = verifyShopifyWebhook(headers, raw, services.secrets.shopifyWebhookSecret);
  if (!check.ok) return problem(check.status, check.reason);

  const text = raw.toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return problem(400, `body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return problem(400, "body must be a JSON object");

  let storeId = await findStoreId(services.db, "shopify", check.shop);
  if (storeId === null) {
    // Nothing to uninstall or erase for a shop we never stored.
    if (STORE_INDEPENDENT_TOPICS.has(check.topic)) return new Response(null, { status: 200 });
    // A delivery can beat the install hook by a moment: keep it rather than lose it.
    const created = await services.db.store.upsert({
      where: { platform_domain: { platform: "shopify", domain: check.shop } },
      create: { platform: "shopify", domain: check.shop, name: check.shop },
      update: {},
      select: { id: true },
    });
    storeId = created.id;
  }
  // The resource the delivery is about: numeric id, checkout token, or (bulk_operations/finish) a GID.
  const { id: numericId, token, admin_graphql_api_id: gid } = body as { id?: unknown; token?: unknown; admin_graphql_api_id?: unknown };
  const id = numericId ?? token ?? gid;
  await receiveWebhook(services, {
    storeId,
    platform: "shopify",
    topic: check.topic,
    dedupeKey: check.webhookId,
    resourceId: id === undefined || id === null ? null : String(id),
    triggeredAt: check.triggeredAt ? new Date(check.triggeredAt) : null,
    body: text,
  });
  return new Response(null, { status: 200 });
}

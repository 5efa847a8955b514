// Every Shopify webhook topic (see shopify.app.toml) arrives here. Order matters: size limit,
// HMAC (nothing is parsed or stored before it passes), JSON, then store + enqueue and answer 200.
import type { ActionFunctionArgs } from "@remix-run/node";
import { verifyShopifyWebhook } from "#adapters/shopify/webhook-verify.ts";
import { BodyTooLargeError, problem, readBodyLimited } from "#app/http/body.server.ts";
import { receiveWebhook } from "#app/jobs/webhook-intake.server.ts";
import { findStoreId } from "#app/core/store-lookup.server.ts";

const STORE_INDEPENDENT_TOPICS = new Set(["app/uninstalled", "shop/redact", "customers/redact", "customers/data_request"]);

export const loader = () => problem(405, "webhooks are delivered with POST");

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { services } = context;
  if (request.method !== "POST") return problem(405, "webhooks are delivered with POST");
  let raw: Buffer;
  try {
    raw = await readBodyLimited(request, services.config.WEBHOOK_MAX_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return problem(400, e.message);
    throw e;
  }
  const check = verifyShopifyWebhook(request.headers, raw, services.secrets.shopifyWebhookSecret);
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
  const id = (body as { id?: unknown; token?: unknown }).id ?? (body as { token?: unknown }).token;
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
};

// Receiving one Shopify webhook once its raw body is read. Order matters: HMAC first (nothing is
// parsed or stored before it passes), then JSON, then store + enqueue and answer 200. Used by the
// fast node:http path (app/server/http.server.ts, shopifyWebhookNodeHandler) and by the Remix route
// (app/routes/webhooks.shopify.ts, handleShopifyWebhook).
import type { IncomingMessage, ServerResponse } from "node:http";
import { verifyShopifyWebhook } from "#adapters/shopify/webhook-verify.ts";
import { receiveWebhook } from "#app/jobs/webhook-intake.server.ts";
import { findStoreId } from "#app/core/store-lookup.server.ts";
import type { Services } from "#app/server/services.server.ts";
import { BodyTooLargeError, problem, readNodeBodyLimited } from "./body.server.ts";

const STORE_INDEPENDENT_TOPICS = new Set(["app/uninstalled", "shop/redact", "customers/redact", "customers/data_request"]);

/** The answer to a delivery: 200 (stored, or nothing to store), or an error status with the reason. */
type Outcome = { status: 200 } | { status: number; reason: string };
const OK: Outcome = { status: 200 };

export async function handleShopifyWebhook(services: Services, headers: Headers, raw: Buffer): Promise<Response> {
  const r = await receiveShopifyWebhook(services, headers, raw);
  return "reason" in r ? problem(r.status, r.reason) : new Response(null, { status: r.status });
}

async function receiveShopifyWebhook(services: Services, headers: Headers, raw: Buffer): Promise<Outcome> {
  const check = verifyShopifyWebhook(headers, raw, services.secrets.shopifyWebhookSecret);
  if (!check.ok) return { status: check.status, reason: check.reason };

  const text = raw.toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return { status: 400, reason: `body is not valid JSON: ${(e as Error).message}` };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { status: 400, reason: "body must be a JSON object" };

  let storeId = await findStoreId(services.db, "shopify", check.shop);
  if (storeId === null) {
    // Nothing to uninstall or erase for a shop we never stored.
    if (STORE_INDEPENDENT_TOPICS.has(check.topic)) return OK;
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
  return OK;
}

/**
 * The same on a plain Node request, without Express, Remix or Fetch objects (the hot path:
 * bench/ingest.bench.ts). Only Shopify's own headers are copied for the verification.
 */
export function shopifyWebhookNodeHandler(services: Services) {
  const maxBytes = services.config.WEBHOOK_MAX_BYTES;
  const send = (res: ServerResponse, r: Outcome) => {
    if ("reason" in r) {
      res.writeHead(r.status, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(r.reason);
    } else {
      res.writeHead(r.status, { "Content-Length": "0" });
      res.end();
    }
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    readNodeBodyLimited(req, maxBytes)
      .then((raw) => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) {
          if (typeof v === "string" && (k.startsWith("x-shopify-") || k.startsWith("shopify-"))) headers.set(k, v);
        }
        return receiveShopifyWebhook(services, headers, raw);
      })
      .then(
        (r) => send(res, r),
        (e: unknown) => {
          if (e instanceof BodyTooLargeError) return send(res, { status: 400, reason: e.message });
          services.log.error({ err: e }, "storing a Shopify webhook failed");
          send(res, { status: 500, reason: "the delivery could not be stored; please retry" });
        },
      );
  };
}

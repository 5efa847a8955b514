// Receiving one WooCommerce delivery at /webhooks/woocommerce/<storeId>. Order matters, as for
// Shopify: the creation ping is answered first (it carries no signature), then the signature is
// checked before anything is parsed or stored, then the receipt is stored and queued.
//
// WooCommerce never retries and disables a webhook after 5 failed deliveries, so nothing that is
// our own business fails a delivery: an unknown topic, or a body we cannot read, is stored and
// answered 200 (the processor records why it skipped or failed it). Only a delivery that is not
// from the store (bad signature: 401) or for a store we do not know (404) is refused.
import type { Services } from "#app/server/services.server.ts";
import { receiveWebhook } from "#app/jobs/webhook-intake.server.ts";
import { wooWebhookSecret } from "#app/jobs/woocommerce-connection.server.ts";
import { parseWooPing, verifyWooWebhook } from "#adapters/woocommerce/webhook-verify.ts";
import { problem } from "./body.server.ts";

interface Identity {
  id: string | null;
  modified: string | null;
}

function identityOf(text: string): Identity {
  try {
    const body = JSON.parse(text) as { id?: unknown; date_modified_gmt?: unknown; date_modified?: unknown };
    const id = typeof body.id === "number" || typeof body.id === "string" ? String(body.id) : null;
    const modified = body.date_modified_gmt ?? body.date_modified;
    return { id, modified: typeof modified === "string" ? modified : null };
  } catch {
    return { id: null, modified: null };
  }
}

export async function handleWooWebhook(services: Services, storeParam: string, headers: Headers, raw: Buffer): Promise<Response> {
  const storeId = /^\d{1,9}$/.test(storeParam) ? Number(storeParam) : null;
  const secret = storeId === null ? null : await wooWebhookSecret(services, storeId);
  if (storeId === null || secret === null) return problem(404, `no connected WooCommerce store ${storeParam}`);

  const ping = parseWooPing(headers, raw);
  if (ping !== null) {
    services.log.info({ storeId, webhookId: ping }, "WooCommerce webhook ping");
    return new Response(null, { status: 200 });
  }

  const check = verifyWooWebhook(headers, raw, secret);
  if (!check.ok) return problem(check.status, check.reason);

  const text = raw.toString("utf8");
  const { id, modified } = identityOf(text);
  // The delivery id changes on every attempt; the resource's modification time does not. Deletions
  // carry only the id, so each one is kept (a repeated deletion is harmless).
  const dedupeKey =
    id !== null && modified !== null && check.event !== "deleted"
      ? `${check.resource}:${id}:${modified}`
      : `${check.topic}:${id ?? "?"}:${check.deliveryId ?? Date.now()}`;
  const triggeredAt = modified ? new Date(/Z|[+-]\d\d:?\d\d$/.test(modified) ? modified : `${modified}Z`) : null;
  await receiveWebhook(services, {
    storeId,
    platform: "woocommerce",
    topic: check.topic,
    dedupeKey,
    resourceId: id,
    triggeredAt: triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null,
    body: text,
  });
  return new Response(null, { status: 200 });
}

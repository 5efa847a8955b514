// WooCommerce deliveries for one connected store (the URL our webhooks are registered with).
import type { ActionFunctionArgs } from "@remix-run/node";
import { BodyTooLargeError, problem, readBodyLimited } from "#app/http/body.server.ts";
import { handleWooWebhook } from "#app/http/woocommerce-webhook.server.ts";

export const loader = () => problem(405, "webhooks are delivered with POST");

export const action = async ({ request, params, context }: ActionFunctionArgs) => {
  const { services } = context;
  if (request.method !== "POST") return problem(405, "webhooks are delivered with POST");
  let raw: Buffer;
  try {
    raw = await readBodyLimited(request, services.config.WEBHOOK_MAX_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return problem(400, e.message);
    throw e;
  }
  return handleWooWebhook(services, params.storeId ?? "", request.headers, raw);
};

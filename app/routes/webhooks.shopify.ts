// Every Shopify webhook topic (see shopify.app.toml) arrives at /webhooks/shopify. The HTTP server
// answers it before Remix (app/server/http.server.ts) for speed; this route is the same logic for
// any request that reaches Remix (e.g. `remix vite:dev` under `shopify app dev`).
import type { ActionFunctionArgs } from "@remix-run/node";
import { BodyTooLargeError, problem, readBodyLimited } from "#app/http/body.server.ts";
import { handleShopifyWebhook } from "#app/http/shopify-webhook.server.ts";

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
  return handleShopifyWebhook(services, request.headers, raw);
};

// Every Shopify webhook topic (see shopify.app.toml) arrives at /webhooks/shopify. The HTTP server
// answers it before Remix (app/server/http.server.ts) for speed; this route is the same logic for
// any request that reaches Remix (e.g. `remix vite:dev` under `shopify app dev`).
import type { ActionFunctionArgs } from "@remix-run/node";
import { problem, webhookAction } from "#app/http/body.server.ts";
import { handleShopifyWebhook } from "#app/http/shopify-webhook.server.ts";

export const loader = () => problem(405, "webhooks are delivered with POST");

export const action = ({ request, context: { services } }: ActionFunctionArgs) =>
  webhookAction(request, services.config.WEBHOOK_MAX_BYTES, (raw) => handleShopifyWebhook(services, request.headers, raw));

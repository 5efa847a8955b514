// WooCommerce deliveries for one connected store (the URL our webhooks are registered with).
import type { ActionFunctionArgs } from "@remix-run/node";
import { problem, webhookAction } from "#app/http/body.server.ts";
import { handleWooWebhook } from "#app/http/woocommerce-webhook.server.ts";

export const loader = () => problem(405, "webhooks are delivered with POST");

export const action = ({ request, params, context: { services } }: ActionFunctionArgs) =>
  webhookAction(request, services.config.WEBHOOK_MAX_BYTES, (raw) => handleWooWebhook(services, params.storeId ?? "", request.headers, raw));

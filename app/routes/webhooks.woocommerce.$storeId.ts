// WooCommerce deliveries (issue: WooCommerce sync). Declared now so the URL is stable.
import { problem } from "#app/http/body.server.ts";

export const action = () => problem(501, "WooCommerce webhooks are not implemented yet");
export const loader = () => problem(405, "webhooks are delivered with POST");

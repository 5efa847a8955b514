// The Admin API version webhooks are subscribed with (shopify.app.toml [webhooks] api_version).
// Keep in step with SHOPIFY_API_VERSION in shopify-app.server.ts.
export const SHOPIFY_WEBHOOK_API_VERSION = "2026-10";

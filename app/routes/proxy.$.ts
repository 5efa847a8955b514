// Shopify app proxy (/apps/caderninho/* on the storefront): the "compre junto" block reads its
// recommendations here (issue: Storefront). Declared now so shopify.app.toml points somewhere real.
import { problem } from "#app/http/body.server.ts";

export const loader = () => problem(501, "the storefront app proxy is not implemented yet");

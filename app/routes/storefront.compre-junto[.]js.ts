// The "compre junto" block for WooCommerce (and any site): the same script as the Shopify theme
// extension, served by the app. The merchant pastes one line (README "Storefront block").
import script from "../../extensions/compre-junto/assets/compre-junto.js?raw";

export const loader = () =>
  new Response(script, {
    headers: {
      "Content-Type": "application/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=3600, stale-while-revalidate=86400",
      "Access-Control-Allow-Origin": "*",
    },
  });

import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

// Shopify CLI (`shopify app dev`) passes the tunnel URL as SHOPIFY_APP_URL; HMR must then go
// through the tunnel over wss, as in Shopify's app template. Otherwise Vite's default applies (and
// our own server, app/server/http.server.ts, attaches HMR to its HTTP server).
const tunnel = process.env.SHOPIFY_APP_URL ? new URL(process.env.SHOPIFY_APP_URL).hostname : null;
const hmr = tunnel && tunnel !== "localhost" ? { protocol: "wss", host: tunnel, port: Number(process.env.FRONTEND_PORT) || 8002, clientPort: 443 } : undefined;

export default defineConfig({
  server: { port: Number(process.env.PORT || 3000), hmr, fs: { allow: ["app", "node_modules", "adapters"] } },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
        v3_routeConfig: true,
      },
    }),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});

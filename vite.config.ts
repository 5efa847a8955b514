import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

// Shopify CLI (`shopify app dev`) passes the tunnel URL as SHOPIFY_APP_URL; HMR must then go
// through the tunnel over wss, as in Shopify's app template. Otherwise Vite's default applies (and
// our own server, app/server/http.server.ts, attaches HMR to its HTTP server).
const tunnel = process.env.SHOPIFY_APP_URL ? new URL(process.env.SHOPIFY_APP_URL).hostname : null;
const hmr = tunnel && tunnel !== "localhost" ? { protocol: "wss", host: tunnel, port: Number(process.env.FRONTEND_PORT) || 8002, clientPort: 443 } : undefined;

export default defineConfig({
  // Tests run with NODE_ENV=test, which changes the optimised-deps hash: give each mode its own
  // cache so `npm test` and `npm start` do not keep rebuilding each other's.
  cacheDir: `node_modules/.vite/${process.env.NODE_ENV ?? "development"}`,
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
        // Tell Vite about every route's dependencies at start-up; without it the first page load
        // discovers react-i18next & co., re-optimises, and hydrates with two copies of React.
        unstable_optimizeDeps: true,
      },
    }),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});

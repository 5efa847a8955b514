// The HTTP server: Express in front of the Remix request handler. In development the routes are
// served through Vite's middleware (hot reload); with NODE_ENV=production from `npm run build`.
import { createServer, type Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import type { Services } from "./services.server.ts";
import { shopifyWebhookNodeHandler } from "../http/shopify-webhook.server.ts";
import { proxyRecommendationsRoute } from "../http/crosssell-proxy.server.ts";
import { pixelEventsRoute } from "../http/pixel-events.server.ts";
import { csrfProtection } from "../auth/csrf.server.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface RunningHttp {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** How long an idle keep-alive connection is kept open (see startHttp). */
const KEEP_ALIVE_MS = 65_000;

export async function startHttp(services: Services, opts: { port: number; host: string; production: boolean }): Promise<RunningHttp> {
  const app = express();
  app.disable("x-powered-by");
  // Behind a load balancer, X-Forwarded-For names the client; otherwise it is anyone's to forge.
  app.set("trust proxy", services.config.TRUST_PROXY);
  // Webhooks skip Express and Remix: routing, Express's request decoration and building a Fetch
  // Request cost most of the CPU a delivery takes (bench/results.md). Same logic as
  // app/routes/webhooks.shopify.ts.
  const shopifyWebhook = shopifyWebhookNodeHandler(services);
  const server = createServer((req, res) => {
    if (req.method === "POST" && (req.url === "/webhooks/shopify" || req.url?.startsWith("/webhooks/shopify?"))) shopifyWebhook(req, res);
    else app(req, res);
  });

  // The storefront's "compre junto" reads skip Remix too (app/http/crosssell-proxy.server.ts).
  app.get("/proxy/recommendations", proxyRecommendationsRoute(services));
  // And so does the storefront pixel's event stream (app/http/pixel-events.server.ts).
  app.post("/pixel/events", pixelEventsRoute(services));

  // Forged cross-site POSTs to the admin are refused before Remix (app/auth/csrf.server.ts).
  app.use(csrfProtection(services.config.appUrl));

  let build: ServerBuild | (() => Promise<ServerBuild>);
  let closeVite: (() => Promise<void>) | null = null;
  if (opts.production) {
    app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
    build = (await import(/* @vite-ignore */ path.join(root, "build/server/index.js"))) as ServerBuild;
  } else {
    const vite = await import("vite");
    // Hot reload rides on our own HTTP server, so parallel instances never fight over a port.
    const devServer = await vite.createServer({ root, server: { middlewareMode: true, hmr: { server } }, logLevel: "warn" });
    closeVite = () => devServer.close();
    app.use(devServer.middlewares);
    build = () => devServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  }
  app.all("*", createRequestHandler({ build, getLoadContext: (req) => ({ services, clientAddress: req.ip ?? req.socket.remoteAddress ?? "unknown" }), mode: opts.production ? "production" : "development" }));

  // Idle keep-alive sockets live longer than the idle timeout of whatever sits in front (load
  // balancers, Shopify's delivery side: commonly 60 s). With Node's 5 s default a client may send
  // on a socket at the instant the server closes it and get a reset with no HTTP status — a
  // webhook delivery Shopify then counts as failed. headersTimeout must exceed keepAliveTimeout.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return {
    server,
    url: `http://localhost:${port}`,
    async close() {
      // Finish requests in flight; drop idle keep-alive sockets now, the rest after 5 s.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 5000).unref();
      await closed;
      await closeVite?.();
    },
  };
}

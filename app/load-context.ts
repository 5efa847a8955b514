// What the HTTP server hands every loader and action (see app/server/http.server.ts).
import type { Services } from "#app/server/services.server.ts";

declare module "@remix-run/node" {
  interface AppLoadContext {
    services: Services;
    /** The client's address: the socket's, or X-Forwarded-For's when TRUST_PROXY is set. */
    clientAddress?: string;
  }
}

export {};

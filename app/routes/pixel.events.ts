// Web pixel ingestion through Remix (the Express fast path in app/server/http.server.ts answers
// first in the real server; this route keeps the endpoint working wherever Remix alone serves).
import type { ActionFunctionArgs } from "@remix-run/node";
import { readBodyLimited } from "#app/http/body.server.ts";
import { json } from "#app/core/cross-sell/storefront-api.server.ts";
import { PIXEL_MAX_BYTES } from "#app/core/cross-sell/pixel-ingest.server.ts";
import { acceptPixelEvents, PIXEL_HEADERS } from "#app/http/pixel-events.server.ts";

export const loader = () => json(405, { error: "POST pixel events" }, PIXEL_HEADERS);

export async function action({ request, context }: ActionFunctionArgs) {
  return acceptPixelEvents(context.services, {
    key: new URL(request.url).searchParams.get("key"),
    clientAddress: context.clientAddress ?? "?",
    readBody: () => readBodyLimited(request, PIXEL_MAX_BYTES),
  });
}

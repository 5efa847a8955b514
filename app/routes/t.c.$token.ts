// Tracked link in a flow email: record the click (signed token names store, message and URL) and
// redirect. A bad token is a 400: never an open redirect.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { linkKey } from "#app/core/email/tokens.ts";
import { recordClick } from "#app/core/email/unsubscribe.server.ts";

export const loader = async ({ params, context }: LoaderFunctionArgs) => {
  const url = await recordClick(context.services.db, linkKey(context.services.secrets.sessionSecret), params.token ?? "");
  if (!url) return new Response("Invalid link", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  return new Response(null, { status: 302, headers: { location: url, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
};

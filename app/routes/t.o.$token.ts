// Open pixel of a flow email: /t/o/<signed token>.gif records the first open, answers a 1×1 GIF.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { linkKey } from "#app/core/email/tokens.ts";
import { recordOpen } from "#app/core/email/unsubscribe.server.ts";

const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

export const loader = async ({ params, context }: LoaderFunctionArgs) => {
  const token = (params.token ?? "").replace(/\.gif$/, "");
  const ok = await recordOpen(context.services.db, linkKey(context.services.secrets.sessionSecret), token);
  if (!ok) return new Response("Not found", { status: 404 });
  return new Response(GIF, { status: 200, headers: { "content-type": "image/gif", "cache-control": "no-store, max-age=0", "content-length": String(GIF.length) } });
};

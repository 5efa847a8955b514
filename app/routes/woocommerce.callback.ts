// Public: where WooCommerce POSTs the keys a merchant just approved (/wc-auth/v1/authorize). The
// request is unsigned, so it is trusted only through the signed, single-use `user_id` we issued
// (adapters/woocommerce/connect.ts). Answering anything but 200 makes WooCommerce delete the keys
// and show "Access denied", which is what an invalid request should get.
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { problem, readBodyLimited, BodyTooLargeError } from "#app/http/body.server.ts";
import { completeWooConnect, startWooImport, WooConnectError } from "#app/jobs/woocommerce-connection.server.ts";

const callbackSchema = z.object({
  key_id: z.union([z.number(), z.string()]).optional(),
  user_id: z.union([z.string(), z.number()]).transform(String),
  consumer_key: z.string().regex(/^ck_[0-9a-f]{20,64}$/, "consumer_key must look like ck_…"),
  consumer_secret: z.string().regex(/^cs_[0-9a-f]{20,64}$/, "consumer_secret must look like cs_…"),
  key_permissions: z.literal("read_write", "key_permissions must be read_write (caderninho writes segment tags back)"),
});

// A handful of connections per address per minute is plenty; this endpoint is unauthenticated.
const attempts = new Map<string, { count: number; resetAt: number }>();
function allow(client: string, now = Date.now()): boolean {
  const a = attempts.get(client);
  if (!a || a.resetAt < now) {
    attempts.set(client, { count: 1, resetAt: now + 60_000 });
    if (attempts.size > 10_000) for (const [k, v] of attempts) if (v.resetAt < now) attempts.delete(k);
    return true;
  }
  return ++a.count <= 20;
}

export const loader = () => problem(405, "WooCommerce posts the keys to this URL");

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { services } = context;
  if (request.method !== "POST") return problem(405, "WooCommerce posts the keys to this URL");
  if (!allow(context.clientAddress ?? "unknown")) return problem(429, "too many connection attempts; wait a minute");
  let body: unknown;
  try {
    body = JSON.parse((await readBodyLimited(request, 16 * 1024)).toString("utf8"));
  } catch (e) {
    return problem(400, e instanceof BodyTooLargeError ? e.message : "body must be the JSON WooCommerce sends");
  }
  const parsed = callbackSchema.safeParse(body);
  if (!parsed.success) return problem(400, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  try {
    const storeId = await completeWooConnect(services, parsed.data.user_id, { consumerKey: parsed.data.consumer_key, consumerSecret: parsed.data.consumer_secret });
    await startWooImport(services, storeId);
    services.log.info({ storeId, keyId: parsed.data.key_id }, "WooCommerce store connected");
    return new Response(null, { status: 200 });
  } catch (e) {
    if (e instanceof WooConnectError) {
      services.log.warn({ reason: e.message }, "refused a WooCommerce connection callback");
      return problem(403, e.message);
    }
    throw e;
  }
};

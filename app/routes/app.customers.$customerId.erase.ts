// POST /app/customers/:customerId/erase — erase the customer (LGPD/GDPR). POST only; the profile
// page's confirmation modal submits it. Answers JSON ({ erased, requestId }) to fetchers, or
// redirects to `redirectTo` (a path under /app) after a plain form post. Another store's id → 404.
import { json, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { eraseCustomer } from "#app/core/privacy/erase.server.ts";

const params = z.object({ customerId: z.coerce.number().int().positive().max(2_147_483_647) });
const form = z.object({
  reason: z.string().trim().max(500).optional(),
  redirectTo: z
    .string()
    .regex(/^\/app(\/[^/]|$|\?)/, "must be a path under /app")
    .optional(),
});

export const loader = () => json({ error: "Use POST to erase a customer." }, { status: 405, headers: { Allow: "POST" } });

export const action = async ({ request, params: raw, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  if (request.method !== "POST") return json({ error: "Use POST to erase a customer." }, { status: 405, headers: { Allow: "POST" } });
  const p = params.safeParse(raw);
  if (!p.success) return json({ error: "customerId: must be a positive integer" }, { status: 404 });
  // A bodiless POST (a fetcher with no fields) is an erasure without a reason.
  const fields = /^(multipart\/form-data|application\/x-www-form-urlencoded)/.test(request.headers.get("content-type") ?? "") ? Object.fromEntries(await request.formData()) : {};
  const body = form.safeParse(fields);
  if (!body.success) return json({ error: body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }, { status: 400 });
  const result = await eraseCustomer(services, store.id, p.data.customerId, body.data.reason || null, { source: "admin" });
  if (!result) return json({ error: "No such customer." }, { status: 404 });
  services.log.info({ storeId: store.id, customerId: result.customerId, requestId: result.requestId, counts: result.counts }, "customer erased from the admin");
  if (body.data.redirectTo) return redirect(body.data.redirectTo);
  return json({ erased: true, customerId: result.customerId, requestId: result.requestId, alreadyErased: result.alreadyErased });
};

// GET /app/customers/:customerId/data.json — everything we hold about the customer, as a download
// (LGPD/GDPR data request). Each download is recorded on the privacy page. `?request=<id>` serves
// the export prepared for a Shopify customers/data_request instead. Another store's id → 404.
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { buildCustomerExport } from "#app/core/privacy/data-export.server.ts";

const params = z.object({ customerId: z.coerce.number().int().positive().max(2_147_483_647) });

export const loader = async ({ request, params: raw, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const p = params.safeParse(raw);
  if (!p.success) return json({ error: "customerId: must be a positive integer" }, { status: 404 });
  const requested = new URL(request.url).searchParams.get("request");
  let data: unknown;
  if (requested !== null) {
    // The export prepared for a Shopify data request (listed on the privacy page), as it was sent.
    const id = z.coerce.number().int().positive().max(2_147_483_647).safeParse(requested);
    const stored = id.success
      ? await services.db.privacyRequest.findFirst({ where: { storeId: store.id, id: id.data, customerId: p.data.customerId, kind: "data_request" }, select: { export: true } })
      : null;
    if (!stored?.export) return json({ error: "No such data request export (erased customers' exports are deleted)." }, { status: 404 });
    data = stored.export;
  } else {
    data = await buildCustomerExport(services.db, store.id, p.data.customerId);
    if (!data) return json({ error: "No such customer." }, { status: 404 });
    await services.db.privacyRequest.create({
      data: { storeId: store.id, kind: "data_request", source: "admin", dedupeKey: `admin:${randomUUID()}`, customerId: p.data.customerId, status: "done", completedAt: new Date() },
    });
  }
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="customer-${p.data.customerId}-data.json"`,
      "Cache-Control": "no-store",
    },
  });
};

// GET /app/export/customers.csv?segment=<id>&locale=pt-BR|en&consent=email|sms — the customers of
// the store (or of one of its segments) as a streamed CSV download. `consent=email` keeps only
// customers who accept email marketing: use it for any list meant for a marketing tool.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { localeFromRequest } from "#app/auth/locale.server.ts";
import { createI18n } from "#app/i18n/index.ts";
import { customerCsvStream, exportQuerySchema } from "#app/core/export/customers-csv.server.ts";
import { zodErrorBody } from "#app/core/api/errors.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { store, services } = await requireAdmin(request, context);
  const parsed = exportQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return Response.json(zodErrorBody(parsed.error), { status: 400 });
  const { segment, consent } = parsed.data;
  const locale = parsed.data.locale ?? (await localeFromRequest(services, request));
  if (segment !== undefined) {
    const found = await services.db.segment.findUnique({ where: { storeId_id: { storeId: store.id, id: segment } }, select: { id: true } });
    if (!found) return Response.json({ error: { code: "not_found", message: `segment ${segment} not found` } }, { status: 404 });
  }
  const stream = customerCsvStream(services.db, { storeId: store.id, currency: store.currency, segmentId: segment, consent }, locale);
  const name = `${createI18n(locale).t("exports.csv.filename")}${segment ? `-${segment}` : ""}-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    },
  });
}

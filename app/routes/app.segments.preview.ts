// Resource route for the segment builder. POST { filter } → { ok, count, sample } (live preview;
// 400 with the paths of the problems, relative to the filter, when it is invalid). GET ?products=… → product search.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { countSegment, sampleSegment } from "#app/core/segments/compile.server.ts";
import { safeParseSegmentFilter } from "#app/core/segments/filter.ts";
import { readJson, searchProducts } from "#app/core/segments/admin.server.ts";

export const PREVIEW_SAMPLE_SIZE = 10;

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const query = new URL(request.url).searchParams.get("products") ?? "";
  return Response.json({ products: await searchProducts(services.db, store.id, query) });
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  if (request.method !== "POST") return Response.json({ ok: false, issues: [{ path: "", message: "use POST" }] }, { status: 405 });
  const body = await readJson(request);
  if (!body.ok) return Response.json({ ok: false, issues: body.issues }, { status: 400 });
  const parsed = safeParseSegmentFilter((body.body as { filter?: unknown } | null)?.filter);
  if (!parsed.ok) return Response.json({ ok: false, issues: parsed.issues }, { status: 400 });
  const [count, sample] = await Promise.all([
    countSegment(services.db, store.id, parsed.filter),
    sampleSegment(services.db, store.id, parsed.filter, PREVIEW_SAMPLE_SIZE),
  ]);
  return Response.json({
    ok: true,
    count,
    sample: sample.map((r) => ({ id: r.id, firstName: r.firstName, lastName: r.lastName, email: r.email, city: r.city, ordersCount: r.ordersCount, revenueMinor: r.revenueMinor.toString() })),
  });
};

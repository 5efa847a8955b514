// A new custom segment: the rule builder with a live count; saving materialises the members and
// opens the segment's page.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Card, Page } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { builderData, inputError, parseSegmentInput, readJson, saveSegment } from "#app/core/segments/admin.server.ts";
import { MATCH_ALL } from "#app/core/segments/filter.ts";
import { SegmentForm, type DraftGroup } from "#app/components/segment-builder.tsx";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  return { builder: await builderData(services.db, store, null) };
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const body = await readJson(request);
  if (!body.ok) return Response.json({ ok: false, error: null, issues: body.issues }, { status: 400 });
  const { intent, ...rest } = (body.body ?? {}) as { intent?: unknown };
  if (intent !== "save") return Response.json({ ok: false, error: "unknownIntent", issues: [] }, { status: 400 });
  const parsed = parseSegmentInput(rest);
  if (!parsed.ok) return Response.json({ ok: false, error: inputError(parsed.issues), issues: parsed.issues }, { status: 400 });
  const { segment } = await saveSegment(services.db, store.id, parsed.input);
  return redirect(`/app/segments/${segment.id}?saved=1`);
};

export default function NewSegment() {
  const { builder } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <Page title={t("segments.builder.newTitle")} backAction={{ content: t("segments.title"), url: "/app/segments" }}>
      <Card>
        <SegmentForm initial={{ name: "", filter: MATCH_ALL as DraftGroup, pushTags: false }} builder={builder} readOnly={false} tagName={null} />
      </Card>
    </Page>
  );
}

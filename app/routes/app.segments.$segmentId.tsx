// One segment: its rule (editable for custom segments, shown read-only for automatic ones) with a
// live count, its members (paginated, linking to each customer), tag push-back to the store
// (queues the tag push and links to its progress), CSV export, and deletion with confirmation.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, EmptyState, IndexTable, InlineStack, Layout, Link, Modal, Page, Pagination, Text } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { builderData, inputError, membersPage, parseSegmentInput, readJson, saveSegment, segmentOr404 } from "#app/core/segments/admin.server.ts";
import { removeSegment } from "#app/core/segments/membership.server.ts";
import { safeParseSegmentFilter } from "#app/core/segments/filter.ts";
import { segmentTagName } from "#app/core/tags/segment-tags.ts";
import { tagPrefixOf } from "#app/jobs/tag-push.server.ts";
import { QUEUES } from "#app/jobs/queues.ts";
import { requestSyncRun } from "#app/jobs/request-sync-run.server.ts";
import { SegmentForm, type DraftGroup } from "#app/components/segment-builder.tsx";
import { formatMoney } from "#app/core/money.ts";
import { segmentTitle } from "#app/core/segments/fields.ts";

export const loader = async ({ request, context, params }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const segment = await segmentOr404(services.db, store.id, params.segmentId);
  const url = new URL(request.url);
  const after = Math.max(0, Number(url.searchParams.get("after")) || 0);
  const before = Math.max(0, Number(url.searchParams.get("before")) || 0);
  const parsed = safeParseSegmentFilter(segment.filter);
  const members = await membersPage(services.db, store.id, segment.id, before ? { before } : { after });
  return {
    segment: {
      id: segment.id,
      name: segment.name,
      nameKey: segment.nameKey,
      autoKey: segment.autoKey,
      kind: segment.kind,
      filter: segment.filter as unknown as DraftGroup,
      pushTags: segment.pushTags,
      memberCount: segment.memberCount,
      refreshedAt: segment.refreshedAt?.toISOString() ?? null,
    },
    tagName: segmentTagName(tagPrefixOf(store), segment),
    builder: await builderData(services.db, store, parsed.ok ? parsed.filter : null, segment.id),
    members,
    store: { currency: store.currency, timezone: store.timezone },
  };
};

export const action = async ({ request, context, params }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const { db } = services;
  const segment = await segmentOr404(db, store.id, params.segmentId);
  const body = await readJson(request);
  if (!body.ok) return Response.json({ ok: false, error: null, issues: body.issues }, { status: 400 });
  const { intent, ...rest } = (body.body ?? {}) as { intent?: unknown };
  switch (intent) {
    case "save": {
      if (segment.kind !== "custom") return Response.json({ ok: false, error: "automaticReadOnly", issues: [] }, { status: 400 });
      const parsed = parseSegmentInput(rest);
      if (!parsed.ok) return Response.json({ ok: false, error: inputError(parsed.issues), issues: parsed.issues }, { status: 400 });
      await saveSegment(db, store.id, parsed.input, segment);
      return redirect(`/app/segments/${segment.id}?saved=1`);
    }
    case "delete":
      await removeSegment(db, store.id, segment.id, segment.name);
      return redirect("/app/segments");
    case "push-tags": {
      if (!segment.pushTags) await db.segment.update({ where: { storeId_id: { storeId: store.id, id: segment.id } }, data: { pushTags: true } });
      if (!(await requestSyncRun(services, store.id, "tag_push", QUEUES.tagsPush))) return Response.json({ ok: false, error: "alreadyRunning", issues: [] });
      return Response.json({ ok: true, error: null, issues: [], pushQueued: true });
    }
    default:
      return Response.json({ ok: false, error: "unknownIntent", issues: [] }, { status: 400 });
  }
};

export default function SegmentPage() {
  const { segment, tagName, builder, members, store } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const [confirming, setConfirming] = useState(false);
  const remove = useFetcher();
  const push = useFetcher<{ ok: boolean; error: string | null; pushQueued?: boolean }>();
  const automatic = segment.kind !== "custom";
  const title = segmentTitle(segment, t);
  const when = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: store.timezone }).format(new Date(iso));
  const post = (fetcher: ReturnType<typeof useFetcher>, intent: string) => fetcher.submit(JSON.stringify({ intent }), { method: "post", encType: "application/json" });

  return (
    <Page
      title={title}
      titleMetadata={<Badge tone={automatic ? "info" : undefined}>{t(`segments.kind.${segment.kind}`)}</Badge>}
      subtitle={segment.refreshedAt ? t("segments.refreshed", { when: when(segment.refreshedAt) }) : t("segments.neverRefreshed")}
      backAction={{ content: t("segments.title"), url: "/app/segments" }}
      primaryAction={{ content: t("segments.detail.pushNow"), onAction: () => post(push, "push-tags"), loading: push.state !== "idle" }}
      secondaryActions={[
        { content: t("segments.detail.exportCsv"), url: `/app/export/customers.csv?segment=${segment.id}`, external: true },
        ...(automatic ? [] : [{ content: t("segments.detail.delete"), destructive: true, onAction: () => setConfirming(true) }]),
      ]}
    >
      <Layout>
        {params.get("saved") ? (
          <Layout.Section>
            <Banner tone="success">{t("segments.detail.saved", { count: segment.memberCount })}</Banner>
          </Layout.Section>
        ) : null}
        {push.data ? (
          <Layout.Section>
            <Banner tone={push.data.ok ? "info" : "warning"} action={{ content: t("segments.detail.seeProgress"), url: "/app/sync" }}>
              {push.data.ok ? t("segments.detail.pushQueued") : t("segments.detail.alreadyRunning")}
            </Banner>
          </Layout.Section>
        ) : null}
        {automatic ? (
          <Layout.Section>
            <Banner tone="info">{t("segments.builder.readOnly")}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <SegmentForm
              initial={{ name: title, filter: segment.filter, pushTags: segment.pushTags }}
              builder={builder}
              readOnly={automatic}
              tagName={tagName}
            />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <BlockStack gap="200">
              <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
                <InlineStack align="space-between">
                  <Text as="h2" variant="headingMd">{t("segments.detail.members")}</Text>
                  <Text as="span" tone="subdued">{segment.memberCount.toLocaleString(i18n.language)}</Text>
                </InlineStack>
              </div>
              {members.rows.length === 0 && members.prev === null ? (
                <EmptyState heading={t("segments.detail.membersEmpty")} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png">
                  <p>{t("segments.subtitle")}</p>
                </EmptyState>
              ) : (
                <IndexTable
                  resourceName={{ singular: t("segments.detail.customer"), plural: t("segments.detail.members") }}
                  itemCount={members.rows.length}
                  selectable={false}
                  headings={[{ title: t("segments.detail.customer") }, { title: t("segments.detail.email") }, { title: t("segments.detail.orders"), alignment: "end" }, { title: t("segments.detail.spent"), alignment: "end" }, { title: t("segments.detail.joined") }]}
                >
                  {members.rows.map((m, i) => (
                    <IndexTable.Row id={String(m.id)} key={m.id} position={i}>
                      <IndexTable.Cell>
                        <Link url={`/app/customers/${m.id}`} removeUnderline>
                          {[m.firstName, m.lastName].filter(Boolean).join(" ") || t("segments.detail.unnamed")}
                        </Link>
                      </IndexTable.Cell>
                      <IndexTable.Cell>{m.email ?? ""}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>{m.ordersCount}</Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>{formatMoney(m.revenueMinor, store.currency, i18n.language)}</Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>{when(m.joinedAt)}</IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              )}
              <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
                <Pagination
                  hasPrevious={members.prev !== null}
                  previousTooltip={t("segments.detail.previous")}
                  previousURL={members.prev !== null ? `/app/segments/${segment.id}?before=${members.prev}` : undefined}
                  hasNext={members.next !== null}
                  nextTooltip={t("segments.detail.next")}
                  nextURL={members.next !== null ? `/app/segments/${segment.id}?after=${members.next}` : undefined}
                />
              </div>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t("segments.detail.deleteTitle", { name: title })}
        primaryAction={{ content: t("segments.detail.delete"), destructive: true, loading: remove.state !== "idle", onAction: () => post(remove, "delete") }}
        secondaryActions={[{ content: t("segments.detail.cancel"), onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t("segments.detail.deleteBody")}</Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}

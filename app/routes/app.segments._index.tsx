// Segments: the merchant's own and the automatic ones (RFM, clusters), with their sizes.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, EmptyState, IndexTable, Link, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { segmentTitle } from "#app/core/segments/fields.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const segments = await services.db.segment.findMany({
    where: { storeId: store.id },
    orderBy: [{ kind: "asc" }, { autoKey: "asc" }, { name: "asc" }],
    select: { id: true, name: true, nameKey: true, autoKey: true, kind: true, memberCount: true, refreshedAt: true, pushTags: true },
  });
  return {
    timezone: store.timezone,
    segments: segments.map((s) => ({ ...s, refreshedAt: s.refreshedAt?.toISOString() ?? null })),
  };
};

type Row = ReturnType<typeof useLoaderData<typeof loader>>["segments"][number];

function SegmentTable({ rows }: { rows: Row[] }) {
  const { t, i18n } = useTranslation();
  const { timezone } = useLoaderData<typeof loader>();
  const when = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: timezone }).format(new Date(iso));
  return (
    <IndexTable
      resourceName={{ singular: t("segments.title"), plural: t("segments.title") }}
      itemCount={rows.length}
      selectable={false}
      headings={[{ title: t("segments.name") }, { title: t("segments.kindLabel") }, { title: t("segments.size"), alignment: "end" }, { title: "" }]}
    >
      {rows.map((s, i) => (
        <IndexTable.Row id={String(s.id)} key={s.id} position={i}>
          <IndexTable.Cell>
            <Link url={`/app/segments/${s.id}`} removeUnderline>
              {segmentTitle(s, t)}
            </Link>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Badge tone={s.kind === "custom" ? undefined : "info"}>{t(`segments.kind.${s.kind}`)}</Badge>
            {s.pushTags ? <> <Badge tone="success">{t("segments.pushesTags")}</Badge></> : null}
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric>{s.memberCount.toLocaleString(i18n.language)}</Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" tone="subdued">{s.refreshedAt ? t("segments.refreshed", { when: when(s.refreshedAt) }) : t("segments.neverRefreshed")}</Text>
          </IndexTable.Cell>
        </IndexTable.Row>
      ))}
    </IndexTable>
  );
}

export default function Segments() {
  const { segments } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const custom = segments.filter((s) => s.kind === "custom");
  const automatic = segments.filter((s) => s.kind !== "custom");
  return (
    <Page title={t("segments.title")} subtitle={t("segments.subtitle")} primaryAction={{ content: t("segments.create"), url: "/app/segments/new" }}>
      <BlockStack gap="400">
        <Card padding={custom.length ? "0" : undefined}>
          {custom.length ? (
            <BlockStack gap="200">
              <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
                <Text as="h2" variant="headingMd">{t("segments.list.custom")}</Text>
              </div>
              <SegmentTable rows={custom} />
            </BlockStack>
          ) : (
            <EmptyState heading={t("segments.empty.heading")} action={{ content: t("segments.create"), url: "/app/segments/new" }} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png">
              <p>{t("segments.empty.body")}</p>
            </EmptyState>
          )}
        </Card>
        {automatic.length ? (
          <Card padding="0">
            <BlockStack gap="200">
              <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
                <Text as="h2" variant="headingMd">{t("segments.list.automatic")}</Text>
                <Text as="p" tone="subdued">{t("segments.list.automaticHelp")}</Text>
              </div>
              <SegmentTable rows={automatic} />
            </BlockStack>
          </Card>
        ) : null}
      </BlockStack>
    </Page>
  );
}

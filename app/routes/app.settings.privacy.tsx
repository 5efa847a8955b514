// Privacy settings (LGPD/GDPR): how long raw webhook payloads and storefront behaviour events are
// kept (Store.settings.retentionDays, 1–365, default 7), the data requests received (Shopify's
// customers/data_request, admin downloads) with their exports, and the erasures done.
import { useFetcher, useLoaderData } from "@remix-run/react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { Prisma } from "@prisma/client";
import { Badge, Banner, BlockStack, Button, Card, DataTable, EmptyState, FormLayout, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { privacySettingsSchema, retentionDaysOf } from "#app/core/privacy/settings.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const requests = await services.db.privacyRequest.findMany({
    where: { storeId: store.id },
    orderBy: { requestedAt: "desc" },
    take: 200,
    select: { id: true, kind: true, source: true, status: true, customerId: true, reason: true, error: true, requestedAt: true, completedAt: true, export: false },
  });
  const withExport = new Set(
    (await services.db.$queryRaw<{ id: number }[]>`SELECT id FROM "PrivacyRequest" WHERE "storeId" = ${store.id} AND kind = 'data_request' AND export IS NOT NULL`).map((r) => r.id),
  );
  const row = (r: (typeof requests)[number]) => ({
    id: r.id,
    source: r.source,
    status: r.status,
    customerId: r.customerId,
    reason: r.reason,
    error: r.error,
    requestedAt: r.requestedAt.toISOString(),
    // Stored exports (Shopify requests) are served by the customer's data.json route with ?request=.
    download: r.customerId !== null && (r.source === "admin" || withExport.has(r.id)) ? `/app/customers/${r.customerId}/data.json${r.source === "admin" ? "" : `?request=${r.id}`}` : null,
  });
  return {
    timezone: store.timezone,
    retentionDays: retentionDaysOf(store.settings),
    dataRequests: requests.filter((r) => r.kind === "data_request").map(row),
    erasures: requests.filter((r) => r.kind === "erasure").map(row),
  };
};

const form = z.object({ intent: z.literal("retention"), retentionDays: privacySettingsSchema.shape.retentionDays });

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const fields = Object.fromEntries(await request.formData());
  if (fields.intent !== "retention") return Response.json({ ok: false as const, error: "unknownIntent" as const, path: "intent" }, { status: 400 });
  const parsed = form.safeParse(fields);
  if (!parsed.success) return Response.json({ ok: false as const, error: "retentionDays" as const, path: parsed.error.issues[0]?.path.join(".") ?? "retentionDays" }, { status: 400 });
  const current = await services.db.store.findUniqueOrThrow({ where: { id: store.id }, select: { settings: true } });
  const settings = { ...((current.settings as Record<string, unknown> | null) ?? {}), retentionDays: parsed.data.retentionDays };
  await services.db.store.update({ where: { id: store.id }, data: { settings: settings as Prisma.InputJsonValue } });
  return Response.json({ ok: true as const, days: parsed.data.retentionDays });
};

type ActionData = { ok: true; days: number } | { ok: false; error: "retentionDays" | "unknownIntent"; path: string };

export default function PrivacySettings() {
  const { retentionDays, dataRequests, erasures, timezone } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<ActionData>();
  const { t, i18n } = useTranslation();
  const [days, setDays] = useState(String(retentionDays));
  const when = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: timezone }).format(new Date(iso));
  const status = (s: string) => <Badge tone={s === "done" ? "success" : s === "failed" ? "critical" : "info"}>{t(`privacy.statuses.${s}`)}</Badge>;
  const result = fetcher.data;
  const fieldError = result && !result.ok && result.error === "retentionDays" ? t("privacy.errors.retentionDays") : undefined;

  return (
    <Page title={t("privacy.title")} subtitle={t("privacy.subtitle")} backAction={{ content: t("nav.settings"), url: "/app/settings" }}>
      <Layout>
        <Layout.AnnotatedSection id="retention" title={t("privacy.retention.title")} description={t("privacy.retention.help")}>
          <Card>
            {/* Our own validation message (zod, server-side) rather than the browser bubble. */}
            <fetcher.Form method="post" noValidate>
              <FormLayout>
                {result?.ok ? <Banner tone="success">{t("privacy.retention.saved", { days: result.days })}</Banner> : null}
                {result && !result.ok && result.error === "unknownIntent" ? <Banner tone="critical">{t("privacy.errors.unknownIntent")}</Banner> : null}
                <input type="hidden" name="intent" value="retention" />
                <TextField
                  label={t("privacy.retention.label")}
                  name="retentionDays"
                  type="number"
                  min={1}
                  max={365}
                  value={days}
                  onChange={setDays}
                  autoComplete="off"
                  error={fieldError}
                />
                <InlineStack align="end">
                  <Button submit variant="primary" loading={fetcher.state !== "idle"}>
                    {t("privacy.retention.save")}
                  </Button>
                </InlineStack>
              </FormLayout>
            </fetcher.Form>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("privacy.requests.title")}
              </Text>
              {dataRequests.length === 0 ? (
                <EmptyState heading={t("privacy.requests.title")} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png">
                  <p>{t("privacy.requests.empty")}</p>
                </EmptyState>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={[t("privacy.requests.customer"), t("privacy.requests.source"), t("privacy.requests.status"), t("privacy.requests.date"), ""]}
                  rows={dataRequests.map((r) => [
                    r.customerId !== null ? t("privacy.requests.customerNumber", { id: r.customerId }) : "—",
                    t(`privacy.sources.${r.source}`),
                    status(r.status),
                    when(r.requestedAt),
                    r.download ? (
                      <Button url={r.download} download variant="plain" accessibilityLabel={`${t("privacy.requests.download")} ${r.customerId ?? ""}`}>
                        {t("privacy.requests.download")}
                      </Button>
                    ) : (
                      <Text as="span" tone="subdued">
                        {r.error ?? t("privacy.requests.notAvailable")}
                      </Text>
                    ),
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("privacy.erasures.title")}
              </Text>
              <Text as="p" tone="subdued">
                {t("privacy.erasures.help")}
              </Text>
              {erasures.length === 0 ? (
                <Text as="p">{t("privacy.erasures.empty")}</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={[t("privacy.requests.customer"), t("privacy.requests.source"), t("privacy.requests.status"), t("privacy.requests.date"), t("privacy.erasures.reason")]}
                  rows={erasures.map((r) => [
                    r.customerId !== null ? t("privacy.requests.customerNumber", { id: r.customerId }) : "—",
                    t(`privacy.sources.${r.source}`),
                    status(r.status),
                    when(r.requestedAt),
                    r.reason ?? "—",
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

import { useLoaderData, useRevalidator } from "@remix-run/react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Banner, BlockStack, Card, EmptyState, InlineGrid, InlineStack, Layout, Link, Page, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { storeOverview } from "#app/core/metrics/overview.server.ts";
import { formatMoney } from "#app/core/money.ts";
import { latestSyncRun } from "#app/core/sync/sync-runs.server.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const [overview, sync] = await Promise.all([storeOverview(services.db, store.id), latestSyncRun(services.db, store.id, "backfill")]);
  return {
    store: { name: store.name, currency: store.currency, isDemo: store.isDemo },
    overview: {
      ...overview,
      revenueMinor: overview.revenueMinor.toString(),
      averageOrderMinor: overview.averageOrderMinor.toString(),
    },
    sync: sync ? { status: sync.status, done: sync.done, total: sync.total } : null,
  };
};

export default function Dashboard() {
  const { store, overview, sync } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (minor: string) => formatMoney(minor, store.currency, i18n.language);
  const syncing = sync && (sync.status === "running" || sync.status === "queued");
  const revalidator = useRevalidator();
  // Poll while an import runs so the progress bar and counts move.
  useEffect(() => {
    if (!syncing) return;
    const id = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(id);
  }, [syncing, revalidator]);

  const kpis = [
    { label: t("dashboard.customers"), value: overview.customers.toLocaleString(i18n.language), id: "customers" },
    { label: t("dashboard.orders"), value: overview.orders.toLocaleString(i18n.language), id: "orders" },
    { label: t("dashboard.revenue"), value: money(overview.revenueMinor), id: "revenue" },
    { label: t("dashboard.averageTicket"), value: money(overview.averageOrderMinor), id: "aov" },
    { label: t("dashboard.unpaidBoletos"), value: overview.unpaidPayments.toLocaleString(i18n.language), id: "unpaid" },
    { label: t("dashboard.abandonedCheckouts"), value: overview.abandonedCheckouts.toLocaleString(i18n.language), id: "abandoned" },
  ];

  return (
    <Page title={t("dashboard.title")} subtitle={store.name}>
      <Layout>
        {store.isDemo ? (
          <Layout.Section>
            <Banner tone="info">{t("dashboard.demoBanner")}</Banner>
          </Layout.Section>
        ) : null}
        {sync && syncing ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200" id="dashboard-sync">
                <InlineStack align="space-between">
                  <Text as="h2" variant="headingMd">
                    {t("dashboard.syncTitle")}
                  </Text>
                  <Link url="/app/sync">{t("dashboard.syncDetails")}</Link>
                </InlineStack>
                <Text as="p">
                  {sync.total ? t("dashboard.syncRunning", { done: sync.done.toLocaleString(i18n.language), total: sync.total.toLocaleString(i18n.language) }) : t("dashboard.syncQueued")}
                </Text>
                <ProgressBar progress={sync.total ? Math.round((100 * sync.done) / sync.total) : 0} size="small" />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {overview.customers === 0 && !syncing ? (
          <Layout.Section>
            <Card>
              <EmptyState heading={t("dashboard.emptyTitle")} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png">
                <p>{t("dashboard.emptyBody")}</p>
              </EmptyState>
            </Card>
          </Layout.Section>
        ) : (
          <Layout.Section>
            <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
              {kpis.map((k) => (
                <Card key={k.id}>
                  <BlockStack gap="200">
                    <Text as="h3" variant="headingSm" tone="subdued">
                      {k.label}
                    </Text>
                    <Text as="p" variant="heading2xl" id={`kpi-${k.id}`}>
                      {k.value}
                    </Text>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}

// The storefront: what the "compre junto" block earned (clicks, add-to-carts, influenced revenue,
// top products), the shopper funnel the web pixel sees, and how to set both up.
import { useLoaderData } from "@remix-run/react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineGrid, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { crossSellInfluencedRevenue, storefrontFunnel } from "#app/core/cross-sell/storefront-stats.server.ts";
import { crossSellAttribution } from "#app/core/cross-sell/track.server.ts";
import { formatMoney } from "#app/core/money.ts";

const DAYS = 30;
const WINDOW_DAYS = 7;

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const since = new Date(Date.now() - DAYS * 24 * 3600 * 1000);
  const [attribution, revenue, funnel] = await Promise.all([
    crossSellAttribution(services.db, store.id, since),
    crossSellInfluencedRevenue(services.db, store.id, since, WINDOW_DAYS),
    storefrontFunnel(services.db, store.id, since),
  ]);
  const titles = await services.db.product.findMany({
    where: { storeId: store.id, platformId: { in: attribution.topAdded.map((p) => p.productId) } },
    select: { platformId: true, title: true },
  });
  const titleOf = new Map(titles.map((p) => [p.platformId, p.title]));
  const settings = (store.settings ?? {}) as { webPixel?: { id?: string } };
  const { config } = services;
  return {
    store: { platform: store.platform, domain: store.domain, currency: store.currency, timezone: store.timezone, isDemo: store.isDemo },
    crossSellMinedAt: store.crossSellMinedAt?.toISOString() ?? null,
    block: {
      clicks: attribution.clicks,
      addToCarts: attribution.addToCarts,
      influencedMinor: revenue.influencedMinor.toString(),
      influencedOrders: revenue.orders,
      topAdded: attribution.topAdded.map((p) => ({ ...p, title: titleOf.get(p.productId) ?? p.productId })),
    },
    funnel,
    setup: {
      pixelActive: Boolean(settings.webPixel?.id),
      // Shopify's deep link that opens the theme editor with our app block ready to place.
      themeEditorUrl:
        store.platform === "shopify" && config.SHOPIFY_API_KEY
          ? `https://${store.domain}/admin/themes/current/editor?template=product&addAppBlockId=${config.SHOPIFY_API_KEY}/compre-junto&target=mainSection`
          : null,
      wooSnippet: `<script src="${config.appUrl}/storefront/compre-junto.js?token=${store.publicToken}" data-limit="4" data-layout="grid" defer></script>`,
    },
  };
};

export default function Storefront() {
  const { store, crossSellMinedAt, block, funnel, setup } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const number = (n: number) => n.toLocaleString(i18n.language);
  const percent = (x: number) => new Intl.NumberFormat(i18n.language, { style: "percent", maximumFractionDigits: 1 }).format(x);
  const when = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: store.timezone }).format(new Date(iso));
  const steps = [
    { key: "sessions", value: funnel.sessions },
    { key: "addToCarts", value: funnel.addToCarts },
    { key: "checkoutsStarted", value: funnel.checkoutsStarted },
    { key: "checkoutsCompleted", value: funnel.checkoutsCompleted },
  ] as const;
  const blockIdle = block.clicks === 0 && block.addToCarts === 0;

  return (
    <Page title={t("storefront.title")} subtitle={t("storefront.subtitle", { days: DAYS })}>
      <Layout>
        {store.isDemo ? (
          <Layout.Section>
            <Banner tone="info">{t("storefront.setup.demo")}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                {t("storefront.block.title")}
              </Text>
              <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
                <Metric label={t("storefront.block.clicks")} value={number(block.clicks)} />
                <Metric label={t("storefront.block.addToCarts")} value={number(block.addToCarts)} />
                <Metric
                  label={t("storefront.block.influenced")}
                  value={formatMoney(block.influencedMinor, store.currency, i18n.language)}
                  detail={t("storefront.block.influencedOrders", { count: block.influencedOrders })}
                />
              </InlineGrid>
              <Text as="p" tone="subdued" variant="bodySm">
                {t("storefront.block.influencedHelp", { days: WINDOW_DAYS })}{" "}
                {crossSellMinedAt ? t("storefront.block.minedAt", { date: when(crossSellMinedAt) }) : t("storefront.block.neverMined")}
              </Text>
              {blockIdle ? (
                <Text as="p" tone="subdued">
                  {t("storefront.block.empty")}
                </Text>
              ) : block.topAdded.length ? (
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">
                    {t("storefront.block.topAdded")}
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "numeric"]}
                    headings={[t("storefront.block.product"), t("storefront.block.times")]}
                    rows={block.topAdded.map((p) => [p.title, number(p.times)])}
                  />
                </BlockStack>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                {t("storefront.funnel.title")}
              </Text>
              {funnel.sessions === 0 ? (
                <Text as="p" tone="subdued">
                  {t("storefront.funnel.empty")}
                </Text>
              ) : (
                <BlockStack gap="300">
                  {steps.map((step) => (
                    <BlockStack key={step.key} gap="100">
                      <InlineGrid columns={2}>
                        <Text as="span">{t(`storefront.funnel.${step.key}`)}</Text>
                        <Text as="span" alignment="end" numeric>
                          {number(step.value)}
                        </Text>
                      </InlineGrid>
                      <ProgressBar progress={(100 * step.value) / funnel.sessions} size="small" />
                    </BlockStack>
                  ))}
                  <Text as="p" variant="headingSm">
                    {t("storefront.funnel.conversion", { rate: funnel.conversionRate === null ? "—" : percent(funnel.conversionRate) })}
                  </Text>
                  <Text as="p" tone="subdued" variant="bodySm">
                    {t("storefront.funnel.productViews")}: {number(funnel.productViews)}
                  </Text>
                </BlockStack>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("storefront.setup.title")}
              </Text>
              {store.platform === "shopify" ? (
                <>
                  <Text as="p">{t("storefront.setup.shopifyBlock")}</Text>
                  {setup.themeEditorUrl ? (
                    <Box>
                      <Button url={setup.themeEditorUrl} target="_blank">
                        {t("storefront.setup.openEditor")}
                      </Button>
                    </Box>
                  ) : null}
                  <Box>
                    {setup.pixelActive ? <Badge tone="success">{t("storefront.setup.pixelActive")}</Badge> : <Text as="p" tone="subdued">{t("storefront.setup.pixelPending")}</Text>}
                  </Box>
                </>
              ) : (
                <>
                  <Text as="p">{t("storefront.setup.wooSnippet")}</Text>
                  <Box padding="300" background="bg-surface-secondary" borderRadius="200">
                    <Text as="p" variant="bodySm" breakWord>
                      <code>{setup.wooSnippet}</code>
                    </Text>
                  </Box>
                </>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Metric({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <BlockStack gap="100">
      <Text as="p" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingLg">
        {value}
      </Text>
      {detail ? (
        <Text as="p" tone="subdued" variant="bodySm">
          {detail}
        </Text>
      ) : null}
    </BlockStack>
  );
}

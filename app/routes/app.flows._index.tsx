// Follow-up flows of the store: each with its status toggle, messages sent and revenue recovered
// in the last 30 days. Built-in flows are created (off) the first time the page is opened.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, EmptyState, IndexTable, Layout, Link, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { storedEmailSettings } from "#app/core/email/settings.server.ts";
import { messageStats, recoveredRevenue } from "#app/core/flows/attribution.server.ts";
import { ensureBuiltInFlows, setFlowEnabled } from "#app/core/flows/manage.server.ts";
import { parseFlowSettings, pickLocale } from "#app/core/flows/model.ts";
import { formatMoney } from "#app/core/money.ts";

const DAY = 86_400_000;

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const { db } = services;
  await ensureBuiltInFlows(db, store.id, pickLocale(store.locale, store.locale));
  const to = new Date();
  const range = { from: new Date(to.getTime() - 30 * DAY), to };
  const [flows, stats, revenue] = await Promise.all([
    db.flow.findMany({ where: { storeId: store.id }, orderBy: { id: "asc" }, include: { _count: { select: { steps: true } } } }),
    messageStats(db, store.id, range),
    recoveredRevenue(db, store.id, range),
  ]);
  const sent = new Map<number, number>();
  for (const s of stats) sent.set(s.flowId, (sent.get(s.flowId) ?? 0) + s.sent);
  const recovered = new Map(revenue.byFlow.map((f) => [f.flowId, f.totalMinor]));
  return {
    currency: store.currency,
    emailConfigured: storedEmailSettings(store) !== null,
    attributionDays: revenue.attributionDays,
    totalRecovered: revenue.totalMinor.toString(),
    flows: flows.map((f) => ({
      id: f.id,
      name: f.name,
      template: f.template,
      enabled: f.enabled,
      kind: parseFlowSettings(f.settings).kind,
      steps: f._count.steps,
      sent: sent.get(f.id) ?? 0,
      recoveredMinor: (recovered.get(f.id) ?? 0n).toString(),
    })),
  };
};

const toggle = z.object({ flowId: z.coerce.number().int().positive(), enabled: z.enum(["true", "false"]) });

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const parsed = toggle.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ ok: false, errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) }, { status: 400 });
  const result = await setFlowEnabled(services.db, store.id, parsed.data.flowId, parsed.data.enabled === "true");
  if (!result) throw new Response("Not found", { status: 404 });
  return { ok: true as const, cancelled: result.cancelled };
};

function ToggleButton({ flowId, enabled, name }: { flowId: number; enabled: boolean; name: string }) {
  const fetcher = useFetcher();
  const { t } = useTranslation();
  const pending = fetcher.state !== "idle";
  const shown = pending ? fetcher.formData?.get("enabled") === "true" : enabled;
  return (
    <Button
      size="slim"
      variant={shown ? "secondary" : "primary"}
      loading={pending}
      accessibilityLabel={`${shown ? t("flows.disable") : t("flows.enable")}: ${name}`}
      onClick={() => fetcher.submit({ flowId: String(flowId), enabled: String(!shown) }, { method: "post" })}
    >
      {shown ? t("flows.disable") : t("flows.enable")}
    </Button>
  );
}

export default function FlowsIndex() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (minor: string) => formatMoney(minor, data.currency, i18n.language);
  return (
    <Page title={t("flows.title")} subtitle={t("flows.subtitle")} secondaryActions={[{ content: t("flows.emailSetup"), url: "/app/settings/email" }]}>
      <Layout>
        {!data.emailConfigured ? (
          <Layout.Section>
            <Banner tone="warning" action={{ content: t("flows.emailSetup"), url: "/app/settings/email" }}>
              {t("flows.emailMissing")}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            {data.flows.length === 0 ? (
              <EmptyState heading={t("flows.empty")} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png" />
            ) : (
              <IndexTable
                resourceName={{ singular: t("flows.columns.name"), plural: t("flows.title") }}
                itemCount={data.flows.length}
                selectable={false}
                headings={[
                  { title: t("flows.columns.name") },
                  { title: t("flows.columns.kind") },
                  { title: t("flows.columns.status") },
                  { title: t("flows.columns.sent"), alignment: "end" },
                  { title: t("flows.columns.recovered"), alignment: "end" },
                  { title: "" },
                ]}
              >
                {data.flows.map((f, index) => (
                  <IndexTable.Row id={String(f.id)} key={f.id} position={index}>
                    <IndexTable.Cell>
                      <Link url={`/app/flows/${f.id}`} removeUnderline>
                        <Text as="span" fontWeight="semibold">
                          {f.name}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{t(`flows.kind.${f.kind}`)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={f.enabled ? "success" : undefined}>{f.enabled ? t("flows.status.on") : t("flows.status.off")}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {f.sent.toLocaleString(i18n.language)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {money(f.recoveredMinor)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <ToggleButton flowId={f.id} enabled={f.enabled} name={f.name} />
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="100">
            <Text as="p" variant="headingMd">
              {t("flows.columns.recovered")}: {money(data.totalRecovered)}
            </Text>
            <Text as="p" tone="subdued">
              {t("flows.periodNote", { days: data.attributionDays })}
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

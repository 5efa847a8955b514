// The 360° profile of one customer: identity, addresses, consent, lifetime stats, scores (RFM now
// and before, cluster, predicted CLV, churn risk), orders with items, open checkouts, unpaid
// boletos/Pix, messages, tags, segments and a timeline of everything. Actions: add a tag, export
// the customer's data (privacy's /data.json), erase (privacy's /erase, after a confirmation).
import { Form, useActionData, useFetcher, useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, Divider, InlineGrid, InlineStack, Layout, List, Modal, Page, Pagination, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { addCustomerTag, loadCustomerProfile } from "#app/core/customers/profile.server.ts";
import { churnBand } from "#app/core/analytics/segments.ts";
import { formatMoney } from "#app/core/money.ts";
import { MAX_TAG_LENGTH } from "#app/core/tags/segment-tags.ts";
import { adminClientForStore } from "#app/jobs/shopify-backfill.server.ts";
import { TAGS_ADD, customerGid } from "#adapters/shopify/tag-push.server.ts";
import { AdminTitleBar, useToast } from "#app/components/admin-feedback.tsx";
import { PageErrorBoundary } from "#app/components/page-error.tsx";

const idParam = z.coerce.number().int().positive().max(2_147_483_647);

function customerIdOf(params: { customerId?: string }): number {
  const r = idParam.safeParse(params.customerId);
  if (!r.success) throw new Response("Not found", { status: 404 });
  return r.data;
}

export const loader = async ({ request, params, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const id = customerIdOf(params);
  const ordersPage = z.coerce.number().int().min(1).max(100_000).catch(1).parse(new URL(request.url).searchParams.get("ordersPage") ?? 1);
  const p = await loadCustomerProfile(services.db, store.id, id, { ordersPage });
  if (!p) throw new Response("Not found", { status: 404 });
  const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
  const s = p.stats;
  return json({
    store: { currency: store.currency, timezone: store.timezone, platform: store.platform, isDemo: store.isDemo },
    customer: {
      id: p.customer.id,
      firstName: p.customer.firstName,
      lastName: p.customer.lastName,
      email: p.customer.email,
      phone: p.customer.phone,
      taxId: p.customer.taxId,
      birthDate: p.customer.birthDate?.toISOString().slice(0, 10) ?? null,
      gender: p.customer.gender,
      locale: p.customer.locale,
      city: p.customer.city,
      province: p.customer.province,
      country: p.customer.country,
      zip: p.customer.zip,
      addresses: (Array.isArray(p.customer.addresses) ? p.customer.addresses : []) as Record<string, string | null>[],
      acceptsEmailMarketing: p.customer.acceptsEmailMarketing,
      acceptsSmsMarketing: p.customer.acceptsSmsMarketing,
      consentUpdatedAt: iso(p.customer.consentUpdatedAt),
      tags: p.customer.tags,
      createdAt: iso(p.customer.platformCreatedAt ?? p.customer.createdAt),
      erasedAt: iso(p.customer.erasedAt),
    },
    stats: s
      ? {
          ordersCount: s.ordersCount,
          revenueMinor: s.revenueMinor.toString(),
          refundedMinor: s.refundedMinor.toString(),
          avgOrderMinor: s.avgOrderMinor.toString(),
          firstOrderAt: iso(s.firstOrderAt),
          lastOrderAt: iso(s.lastOrderAt),
          avgDaysBetweenOrders: s.avgDaysBetweenOrders,
          favouriteCategories: s.favouriteCategories,
          rScore: s.rScore,
          fScore: s.fScore,
          mScore: s.mScore,
          rfmSegment: s.rfmSegment,
          predictedClvMinor: s.predictedClvMinor?.toString() ?? null,
          pAlive: s.pAlive,
          churnRisk: s.churnRisk,
          predictedNextOrderAt: iso(s.predictedNextOrderAt),
          shopifyRfmGroup: s.shopifyRfmGroup,
        }
      : null,
    cluster: p.cluster,
    rfmHistory: p.rfmHistory.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })),
    orders: {
      ...p.orders,
      rows: p.orders.rows.map((o) => ({
        id: o.id,
        name: o.name ?? `#${o.platformId}`,
        placedAt: o.placedAt.toISOString(),
        totalMinor: o.totalMinor.toString(),
        refundedMinor: o.refundedMinor.toString(),
        currency: o.currency,
        financialStatus: o.financialStatus,
        fulfillmentStatus: o.fulfillmentStatus,
        paymentMethod: o.paymentMethod,
        cancelled: !!o.cancelledAt,
        lines: o.lines.map((l) => ({ id: l.id, title: l.title, sku: l.sku, quantity: l.quantity, totalMinor: l.totalMinor.toString() })),
      })),
    },
    openCheckouts: p.openCheckouts.map((c) => ({ id: c.id, startedAt: c.startedAt.toISOString(), totalMinor: c.totalMinor.toString(), currency: c.currency, recoveryUrl: c.recoveryUrl, items: Array.isArray(c.lines) ? c.lines.length : 0 })),
    unpaid: p.unpaid.map((u) => ({ id: u.id, method: u.method, amountMinor: u.amountMinor.toString(), currency: u.currency, dueAt: iso(u.dueAt), boletoUrl: u.boletoUrl, pixCode: u.pixCode, orderName: u.orderName })),
    messages: p.messages.map((m) => ({ id: m.id, subject: m.subject, status: m.status, channel: m.channel, sentAt: iso(m.sentAt), openedAt: iso(m.openedAt), clickedAt: iso(m.clickedAt), createdAt: m.createdAt.toISOString() })),
    messageCounts: p.messageCounts,
    memberships: p.memberships.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() })),
    timeline: p.timeline,
  });
};

const tagSchema = z.object({
  tag: z
    .string()
    .trim()
    .min(1, { message: "tagEmpty" })
    .max(MAX_TAG_LENGTH, { message: "tagTooLong" })
    .refine((v) => !v.includes(","), { message: "tagComma" }),
});

type ActionResult = { ok: true; intent: "addTag"; added: boolean; pushed: "shopify" | "local" } | { ok: false; errors: Record<string, string> };

export const action = async ({ request, params, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const id = customerIdOf(params);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent !== "addTag") return json<ActionResult>({ ok: false, errors: { intent: "unknownIntent" } }, { status: 400 });
  const parsed = tagSchema.safeParse({ tag: form.get("tag") ?? "" });
  if (!parsed.success) return json<ActionResult>({ ok: false, errors: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "tag", i.message])) }, { status: 400 });
  const customer = await services.db.customer.findUnique({ where: { storeId_id: { storeId: store.id, id } }, select: { platformId: true } });
  if (!customer) throw new Response("Not found", { status: 404 });
  const tag = parsed.data.tag;
  // Shopify stores (not the demo): the platform first, so our copy never claims a tag the store
  // refused. WooCommerce has no customer tags (segment tags go to customer meta): ours only.
  let pushed: "shopify" | "local" = "local";
  if (store.platform === "shopify" && !store.isDemo) {
    try {
      const client = await adminClientForStore(services, store.id);
      await client.request(TAGS_ADD, { id: customerGid(customer.platformId), tags: [tag] });
      pushed = "shopify";
    } catch (e) {
      services.log.warn({ storeId: store.id, customerId: id, err: e instanceof Error ? e.message : String(e) }, "tag not added on Shopify");
      return json<ActionResult>({ ok: false, errors: { tag: "platformRefused" } }, { status: 502 });
    }
  }
  const r = await addCustomerTag(services.db, store.id, id, tag);
  if (!r) throw new Response("Not found", { status: 404 });
  return json<ActionResult>({ ok: true, intent: "addTag", added: r.added, pushed });
};

export default function CustomerProfile() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const eraser = useFetcher();
  const toast = useToast();
  const [params] = useSearchParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [eraseOpen, setEraseOpen] = useState(false);
  const [tag, setTag] = useState("");
  const { customer: c, stats: s } = d;
  const money = (minor: string, currency = d.store.currency) => formatMoney(minor, currency, lang);
  const date = (iso: string | null, time = false) => (iso ? new Intl.DateTimeFormat(lang, { dateStyle: "medium", ...(time ? { timeStyle: "short" } : {}), timeZone: d.store.timezone }).format(new Date(iso)) : "—");
  const pct = (n: number | null) => (n === null ? "—" : n.toLocaleString(lang, { style: "percent", maximumFractionDigits: 0 }));
  const name = [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || t("customers.noName");

  useEffect(() => {
    if (actionData?.ok) {
      toast(actionData.added ? t("customers.profile.tagAdded") : t("customers.profile.tagExisted"));
      setTag("");
    }
  }, [actionData, toast, t]);
  const tagError = actionData && !actionData.ok ? actionData.errors.tag ?? actionData.errors.intent : undefined;

  const pageHref = (n: number) => {
    const p = new URLSearchParams(params);
    p.set("ordersPage", String(n));
    return `?${p.toString()}`;
  };

  const field = (label: string, value: React.ReactNode) => (
    <InlineStack align="space-between" gap="200" wrap={false}>
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span" alignment="end">
        {value ?? "—"}
      </Text>
    </InlineStack>
  );

  return (
    <Page
      title={name}
      subtitle={c.email ?? undefined}
      backAction={{ content: t("customers.title"), url: "/app/customers" }}
      titleMetadata={s?.rfmSegment ? <Badge tone="info">{t(`analytics.segments.${s.rfmSegment}`)}</Badge> : undefined}
      secondaryActions={[
        { content: t("customers.profile.exportData"), url: `/app/customers/${c.id}/data.json`, external: true, id: "customer-export" },
        { content: t("customers.profile.erase"), destructive: true, onAction: () => setEraseOpen(true), id: "customer-erase" },
      ]}
    >
      <AdminTitleBar title={name} />
      <Modal
        open={eraseOpen}
        onClose={() => setEraseOpen(false)}
        title={t("customers.profile.eraseTitle", { name })}
        primaryAction={{
          content: t("customers.profile.eraseConfirm"),
          destructive: true,
          loading: eraser.state !== "idle",
          onAction: () => eraser.submit({ confirm: "erase" }, { method: "post", action: `/app/customers/${c.id}/erase` }),
        }}
        secondaryActions={[{ content: t("customers.profile.cancel"), onAction: () => setEraseOpen(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t("customers.profile.eraseBody")}</Text>
        </Modal.Section>
      </Modal>
      <Layout>
        {c.erasedAt ? (
          <Layout.Section>
            <Banner tone="warning">{t("customers.profile.erased", { when: date(c.erasedAt) })}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.lifetime")}
                </Text>
                <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                  {[
                    ["orders", s ? s.ordersCount.toLocaleString(lang) : "0"],
                    ["totalSpent", money(s?.revenueMinor ?? "0")],
                    ["averageOrder", money(s?.avgOrderMinor ?? "0")],
                    ["refunded", money(s?.refundedMinor ?? "0")],
                    ["firstOrder", date(s?.firstOrderAt ?? null)],
                    ["lastOrder", date(s?.lastOrderAt ?? null)],
                    ["daysBetween", s?.avgDaysBetweenOrders != null ? Math.round(s.avgDaysBetweenOrders).toLocaleString(lang) : "—"],
                    ["favourites", s?.favouriteCategories.length ? s.favouriteCategories.join(", ") : "—"],
                  ].map(([k, v]) => (
                    <BlockStack key={k} gap="050">
                      <Text as="span" tone="subdued" variant="bodySm">
                        {t(`customers.profile.stats.${k}`)}
                      </Text>
                      <Text as="span" variant="headingMd" id={`stat-${k}`}>
                        {v}
                      </Text>
                    </BlockStack>
                  ))}
                </InlineGrid>
              </BlockStack>
            </Card>

            <Card padding="0">
              <Box padding="400">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.orders", { count: d.orders.total })}
                </Text>
              </Box>
              {d.orders.rows.length === 0 ? (
                <Box padding="400">
                  <Text as="p" tone="subdued">
                    {t("customers.profile.noOrders")}
                  </Text>
                </Box>
              ) : (
                <BlockStack>
                  {d.orders.rows.map((o) => (
                    <Box key={o.id} padding="400" borderBlockStartWidth="025" borderColor="border-secondary">
                      <BlockStack gap="200">
                        <InlineStack align="space-between" blockAlign="center">
                          <InlineStack gap="200" blockAlign="center">
                            <Text as="h3" variant="headingSm">
                              {o.name}
                            </Text>
                            <Text as="span" tone="subdued">
                              {date(o.placedAt, true)}
                            </Text>
                            <Badge tone={o.cancelled ? "critical" : o.financialStatus === "paid" ? "success" : "attention"}>{o.cancelled ? t("customers.profile.cancelled") : t(`customers.financial.${o.financialStatus}`)}</Badge>
                            <Badge>{t(`customers.method.${o.paymentMethod}`)}</Badge>
                          </InlineStack>
                          <Text as="span" fontWeight="semibold">
                            {money(o.totalMinor, o.currency)}
                          </Text>
                        </InlineStack>
                        <DataTable
                          columnContentTypes={["text", "numeric", "numeric"]}
                          headings={[t("customers.profile.item"), t("customers.profile.quantity"), t("customers.profile.lineTotal")]}
                          rows={o.lines.map((l) => [l.sku ? `${l.title} (${l.sku})` : l.title, l.quantity, money(l.totalMinor, o.currency)])}
                          increasedTableDensity
                        />
                      </BlockStack>
                    </Box>
                  ))}
                  <Box padding="400">
                    <InlineStack align="center">
                      <Pagination
                        hasPrevious={d.orders.page > 1}
                        onPrevious={() => navigate(pageHref(d.orders.page - 1), { preventScrollReset: true })}
                        hasNext={d.orders.page < d.orders.pages}
                        onNext={() => navigate(pageHref(d.orders.page + 1), { preventScrollReset: true })}
                        accessibilityLabels={{ previous: t("customers.previousPage"), next: t("customers.nextPage") }}
                        label={t("customers.profile.ordersPage", { page: d.orders.page, pages: d.orders.pages })}
                      />
                    </InlineStack>
                  </Box>
                </BlockStack>
              )}
            </Card>

            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("customers.profile.openCheckouts")}
                  </Text>
                  {d.openCheckouts.length === 0 ? (
                    <Text as="p" tone="subdued">
                      {t("customers.profile.none")}
                    </Text>
                  ) : (
                    <List>
                      {d.openCheckouts.map((x) => (
                        <List.Item key={x.id}>
                          {t("customers.profile.checkoutLine", { when: date(x.startedAt, true), total: money(x.totalMinor, x.currency), items: x.items })}
                        </List.Item>
                      ))}
                    </List>
                  )}
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("customers.profile.unpaid")}
                  </Text>
                  {d.unpaid.length === 0 ? (
                    <Text as="p" tone="subdued">
                      {t("customers.profile.none")}
                    </Text>
                  ) : (
                    <List>
                      {d.unpaid.map((u) => (
                        <List.Item key={u.id}>
                          {t("customers.profile.unpaidLine", { method: t(`customers.method.${u.method}`), amount: money(u.amountMinor, u.currency), order: u.orderName ?? "", due: date(u.dueAt) })}
                        </List.Item>
                      ))}
                    </List>
                  )}
                </BlockStack>
              </Card>
            </InlineGrid>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.messages")}
                </Text>
                <InlineStack gap="400">
                  <Text as="span">{t("customers.profile.sent", { count: d.messageCounts.sent })}</Text>
                  <Text as="span">{t("customers.profile.opened", { count: d.messageCounts.opened })}</Text>
                  <Text as="span">{t("customers.profile.clicked", { count: d.messageCounts.clicked })}</Text>
                </InlineStack>
                {d.messages.length ? (
                  <DataTable
                    columnContentTypes={["text", "text", "text", "text"]}
                    headings={[t("customers.profile.subject"), t("customers.profile.status"), t("customers.profile.sentAt"), t("customers.profile.engagement")]}
                    rows={d.messages.map((m) => [
                      m.subject ?? "—",
                      t(`customers.messageStatus.${m.status}`),
                      date(m.sentAt, true),
                      [m.openedAt ? t("customers.profile.openedShort") : null, m.clickedAt ? t("customers.profile.clickedShort") : null].filter(Boolean).join(", ") || "—",
                    ])}
                  />
                ) : null}
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd" id="timeline-title">
                  {t("customers.profile.timeline")}
                </Text>
                {d.timeline.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("customers.profile.timelineEmpty")}
                  </Text>
                ) : (
                  <ol aria-labelledby="timeline-title" id="customer-timeline" style={{ listStyle: "none", margin: 0, padding: 0 }}>
                    {d.timeline.map((e, i) => (
                      <li key={i} style={{ padding: "6px 0", borderBottom: "1px solid var(--p-color-border-secondary)" }}>
                        <InlineStack gap="200" wrap={false} align="space-between">
                          <Text as="span">
                            {e.kind === "event" ? t("customers.timeline.event", { type: e.type }) : t(`customers.timeline.${e.kind}`)}
                            {e.label ? ` · ${e.label}` : ""}
                            {e.amountMinor && e.currency ? ` · ${money(e.amountMinor, e.currency)}` : ""}
                          </Text>
                          <Text as="span" tone="subdued">
                            {date(e.at, true)}
                          </Text>
                        </InlineStack>
                      </li>
                    ))}
                  </ol>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.identity")}
                </Text>
                {field(t("customers.profile.email"), c.email)}
                {field(t("customers.profile.phone"), c.phone)}
                {field(t("customers.profile.taxId"), c.taxId)}
                {field(t("customers.profile.birthDate"), c.birthDate)}
                {field(t("customers.profile.locale"), c.locale)}
                {field(t("customers.profile.since"), date(c.createdAt))}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.addresses")}
                </Text>
                {c.addresses.length === 0 && !c.city ? (
                  <Text as="p" tone="subdued">
                    {t("customers.profile.none")}
                  </Text>
                ) : (
                  (c.addresses.length ? c.addresses : [{ city: c.city, province: c.province, country: c.country, zip: c.zip }]).map((a, i) => (
                    <Text as="p" key={i}>
                      {[a.address1, a.address2, a.city, a.province ?? a.state, a.zip ?? a.postcode, a.country].filter(Boolean).join(", ")}
                    </Text>
                  ))
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.consent")}
                </Text>
                {field(t("customers.profile.emailMarketing"), <Badge tone={c.acceptsEmailMarketing ? "success" : undefined}>{c.acceptsEmailMarketing ? t("customers.profile.yes") : t("customers.profile.no")}</Badge>)}
                {field(t("customers.profile.smsMarketing"), <Badge tone={c.acceptsSmsMarketing ? "success" : undefined}>{c.acceptsSmsMarketing ? t("customers.profile.yes") : t("customers.profile.no")}</Badge>)}
                {field(t("customers.profile.consentUpdated"), date(c.consentUpdatedAt))}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.scores")}
                </Text>
                {field(t("customers.profile.rfm"), s?.rfmSegment ? `${t(`analytics.segments.${s.rfmSegment}`)} (R${s.rScore} F${s.fScore} M${s.mScore})` : "—")}
                {field(t("customers.profile.cluster"), d.cluster ? (d.cluster.nameKeys ? d.cluster.nameKeys.map((k) => t(k)).join(" · ") : `#${d.cluster.index + 1}`) : "—")}
                {field(t("customers.profile.predictedClv"), s?.predictedClvMinor ? money(s.predictedClvMinor) : "—")}
                {field(t("customers.profile.churnRisk"), s?.churnRisk != null ? `${t(`analytics.churn.${churnBand(s.churnRisk)}`)} (${pct(s.churnRisk)})` : "—")}
                {field(t("customers.profile.pAlive"), pct(s?.pAlive ?? null))}
                {field(t("customers.profile.nextOrder"), date(s?.predictedNextOrderAt ?? null))}
                {s?.shopifyRfmGroup ? field(t("customers.profile.shopifyRfm"), s.shopifyRfmGroup) : null}
                <Divider />
                <Text as="h3" variant="headingSm">
                  {t("customers.profile.rfmHistory")}
                </Text>
                {d.rfmHistory.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("customers.profile.none")}
                  </Text>
                ) : (
                  <List>
                    {d.rfmHistory.slice(0, 10).map((h) => (
                      <List.Item key={h.runId}>
                        {date(h.createdAt)}: {t(`analytics.segments.${h.segment}`)} (R{h.rScore} F{h.fScore} M{h.mScore})
                      </List.Item>
                    ))}
                  </List>
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.tags")}
                </Text>
                <InlineStack gap="100">
                  {c.tags.length ? (
                    c.tags.map((x) => <Badge key={x}>{x}</Badge>)
                  ) : (
                    <Text as="p" tone="subdued">
                      {t("customers.profile.none")}
                    </Text>
                  )}
                </InlineStack>
                <Form method="post" id="add-tag-form">
                  <input type="hidden" name="intent" value="addTag" />
                  <BlockStack gap="200">
                    <TextField
                      label={t("customers.profile.addTag")}
                      name="tag"
                      value={tag}
                      onChange={setTag}
                      autoComplete="off"
                      error={tagError ? t(`customers.errors.${tagError}`) : undefined}
                      helpText={d.store.platform === "shopify" && !d.store.isDemo ? t("customers.profile.tagHelpShopify") : t("customers.profile.tagHelpLocal")}
                    />
                    <InlineStack align="end">
                      <Button submit loading={navigation.state === "submitting"}>
                        {t("customers.profile.addTagButton")}
                      </Button>
                    </InlineStack>
                  </BlockStack>
                </Form>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("customers.profile.segments")}
                </Text>
                {d.memberships.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("customers.profile.none")}
                  </Text>
                ) : (
                  <List>
                    {d.memberships.map((m) => (
                      <List.Item key={m.segmentId}>
                        {m.name} · {t("customers.profile.since")} {date(m.joinedAt)}
                      </List.Item>
                    ))}
                  </List>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

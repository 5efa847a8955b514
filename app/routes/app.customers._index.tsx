// Customers: server-side search (name, e-mail, phone, CPF), filters, sort and keyset pages. The URL
// is the whole state (shareable links; the back button returns to the previous page or filter).
import { useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Badge, Banner, Card, ChoiceList, EmptyState, Filters, IndexTable, InlineStack, Layout, Page, Select, Text, TextField, type FilterInterface } from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { decodeCursor, parseCustomerQuery, type Cursor, type QueryIssue } from "#app/core/customers/query.ts";
import { searchCustomers } from "#app/core/customers/search.server.ts";
import { RFM_SEGMENTS } from "#app/core/analytics/segments.ts";
import { formatMoney } from "#app/core/money.ts";
import { AdminTitleBar } from "#app/components/admin-feedback.tsx";
import { PageErrorBoundary } from "#app/components/page-error.tsx";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const url = new URL(request.url);
  const parsed = parseCustomerQuery(url.searchParams);
  const storeInfo = { currency: store.currency, timezone: store.timezone };
  const fail = (issues: QueryIssue[]) => json({ store: storeInfo, issues, rows: [], next: null, previous: null }, { status: 400 });
  if (!parsed.ok) return fail(parsed.issues);
  const q = parsed.query;
  const at: { after?: Cursor; before?: Cursor } = {};
  for (const key of ["after", "before"] as const) {
    const raw = q[key];
    if (!raw) continue;
    const c = decodeCursor(raw, key);
    if (!c.ok) return fail([c.issue]);
    at[key] = c.cursor;
  }
  const page = await searchCustomers(services.db, store.id, q, at);
  return json({
    store: storeInfo,
    issues: [] as QueryIssue[],
    rows: page.rows.map((r) => ({ ...r, revenueMinor: r.revenueMinor.toString(), lastOrderAt: r.lastOrderAt?.toISOString() ?? null })),
    next: page.next,
    previous: page.previous,
  });
};

const SORT_OPTIONS = ["last_order:desc", "last_order:asc", "total_spent:desc", "total_spent:asc", "orders:desc", "orders:asc", "name:asc", "name:desc"] as const;
const FILTER_KEYS = ["segment", "hasOrders", "consent", "tag", "country", "state"] as const;

export default function Customers() {
  const { store, issues, rows, next, previous } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const lang = i18n.language;

  // Typing searches after a pause, replacing the history entry (one back press leaves the search).
  const [query, setQuery] = useState(params.get("q") ?? "");
  const typing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => setQuery(params.get("q") ?? ""), [params]);
  const update = useCallback(
    (changes: Record<string, string | null>, replace = false) => {
      const p = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === "") p.delete(k);
        else p.set(k, v);
      }
      // Any change of search, filter or sort starts again from the first page.
      if (!("after" in changes) && !("before" in changes)) {
        p.delete("after");
        p.delete("before");
      }
      setParams(p, { replace, preventScrollReset: true });
    },
    [params, setParams],
  );
  const onQueryChange = (value: string) => {
    setQuery(value);
    if (typing.current) clearTimeout(typing.current);
    typing.current = setTimeout(() => update({ q: value }, true), 300);
  };

  const [tagDraft, setTagDraft] = useState(params.get("tag") ?? "");
  const [countryDraft, setCountryDraft] = useState(params.get("country") ?? "");
  const [stateDraft, setStateDraft] = useState(params.get("state") ?? "");
  const choice = (key: string, choices: { label: string; value: string }[]) => (
    <ChoiceList title={t(`customers.filters.${key}`)} titleHidden choices={choices} selected={params.get(key) ? [params.get(key)!] : []} onChange={(v) => update({ [key]: v[0] ?? null })} />
  );
  const text = (key: string, value: string, set: (v: string) => void) => (
    <TextField label={t(`customers.filters.${key}`)} labelHidden value={value} onChange={set} onBlur={() => update({ [key]: value })} autoComplete="off" connectedRight={undefined} />
  );
  const filters: FilterInterface[] = [
    { key: "segment", label: t("customers.filters.segment"), filter: choice("segment", RFM_SEGMENTS.map((s) => ({ label: t(`analytics.segments.${s}`), value: s }))), shortcut: true },
    { key: "hasOrders", label: t("customers.filters.hasOrders"), filter: choice("hasOrders", [{ label: t("customers.filters.withOrders"), value: "yes" }, { label: t("customers.filters.withoutOrders"), value: "no" }]), shortcut: true },
    { key: "consent", label: t("customers.filters.consent"), filter: choice("consent", [{ label: t("customers.filters.subscribed"), value: "subscribed" }, { label: t("customers.filters.notSubscribed"), value: "not_subscribed" }]) },
    { key: "tag", label: t("customers.filters.tag"), filter: text("tag", tagDraft, setTagDraft) },
    { key: "country", label: t("customers.filters.country"), filter: text("country", countryDraft, setCountryDraft) },
    { key: "state", label: t("customers.filters.state"), filter: text("state", stateDraft, setStateDraft) },
  ];
  const describe = (key: string, v: string) => {
    if (key === "segment") return t(`analytics.segments.${v}`);
    if (key === "hasOrders") return v === "yes" ? t("customers.filters.withOrders") : t("customers.filters.withoutOrders");
    if (key === "consent") return v === "subscribed" ? t("customers.filters.subscribed") : t("customers.filters.notSubscribed");
    return `${t(`customers.filters.${key}`)}: ${v}`;
  };
  const appliedFilters = FILTER_KEYS.filter((k) => params.get(k)).map((k) => ({
    key: k,
    label: describe(k, params.get(k)!),
    onRemove: () => {
      if (k === "tag") setTagDraft("");
      if (k === "country") setCountryDraft("");
      if (k === "state") setStateDraft("");
      update({ [k]: null });
    },
  }));
  const sortValue = `${params.get("sort") ?? "last_order"}:${params.get("dir") ?? ((params.get("sort") ?? "last_order") === "name" ? "asc" : "desc")}`;
  const filtered = !!params.get("q") || appliedFilters.length > 0;

  const money = (minor: string) => formatMoney(minor, store.currency, lang);
  const date = (iso: string) => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: store.timezone }).format(new Date(iso));
  const name = (r: (typeof rows)[number]) => [r.firstName, r.lastName].filter(Boolean).join(" ") || r.email || t("customers.noName");
  const place = (r: (typeof rows)[number]) => [r.city, r.province, r.country].filter(Boolean).join(", ");

  return (
    <Page title={t("customers.title")} fullWidth>
      <AdminTitleBar title={t("customers.title")} />
      <Layout>
        {issues.length ? (
          <Layout.Section>
            <Banner tone="critical" title={t("customers.badLink")} action={{ content: t("customers.clearAll"), url: "/app/customers" }}>
              <ul id="customers-issues">
                {issues.map((i) => (
                  <li key={i.path}>
                    <code>{i.path}</code>: {i.message}
                  </li>
                ))}
              </ul>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: "var(--p-space-200)" }}>
              <InlineStack gap="200" wrap={false} blockAlign="center">
                <div style={{ flex: 1 }}>
                  <Filters
                    queryValue={query}
                    queryPlaceholder={t("customers.searchPlaceholder")}
                    filters={filters}
                    appliedFilters={appliedFilters}
                    onQueryChange={onQueryChange}
                    onQueryClear={() => {
                      setQuery("");
                      update({ q: null });
                    }}
                    onClearAll={() => {
                      setTagDraft("");
                      setCountryDraft("");
                      setStateDraft("");
                      navigate("/app/customers");
                    }}
                    loading={navigation.state === "loading"}
                  />
                </div>
                <Select
                  label={t("customers.sortBy")}
                  labelInline
                  options={SORT_OPTIONS.map((o) => ({ label: t(`customers.sort.${o.replace(":", "_")}`), value: o }))}
                  value={sortValue}
                  onChange={(v) => {
                    const [sort, dir] = v.split(":");
                    update({ sort: sort === "last_order" ? null : sort!, dir: dir! });
                  }}
                />
              </InlineStack>
            </div>
            {rows.length === 0 && !issues.length ? (
              <EmptyState heading={filtered ? t("customers.noMatchTitle") : t("customers.emptyTitle")} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png">
                <p>{filtered ? t("customers.noMatchBody") : t("customers.emptyBody")}</p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: t("customers.singular"), plural: t("customers.plural") }}
                itemCount={rows.length}
                selectable={false}
                loading={navigation.state === "loading"}
                headings={[
                  { title: t("customers.columns.name") },
                  { title: t("customers.columns.location") },
                  { title: t("customers.columns.orders"), alignment: "end" },
                  { title: t("customers.columns.totalSpent"), alignment: "end" },
                  { title: t("customers.columns.lastOrder") },
                  { title: t("customers.columns.segment") },
                  { title: t("customers.columns.consent") },
                ]}
                pagination={{
                  hasNext: !!next,
                  hasPrevious: !!previous,
                  onNext: () => next && update({ after: next, before: null }),
                  onPrevious: () => previous && update({ before: previous, after: null }),
                  accessibilityLabels: { next: t("customers.nextPage"), previous: t("customers.previousPage") },
                }}
              >
                {rows.map((r, index) => (
                  <IndexTable.Row id={String(r.id)} key={r.id} position={index} onClick={() => navigate(`/app/customers/${r.id}`)}>
                    <IndexTable.Cell>
                      <a href={`/app/customers/${r.id}`} className="customer-link" onClick={(e) => (e.preventDefault(), e.stopPropagation(), navigate(`/app/customers/${r.id}`))} style={{ color: "inherit" }}>
                        <Text as="span" fontWeight="semibold">
                          {name(r)}
                        </Text>
                      </a>
                      {r.email && name(r) !== r.email ? (
                        <Text as="p" tone="subdued" variant="bodySm">
                          {r.email}
                        </Text>
                      ) : null}
                    </IndexTable.Cell>
                    <IndexTable.Cell>{place(r)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {r.ordersCount.toLocaleString(lang)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {money(r.revenueMinor)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{r.lastOrderAt ? date(r.lastOrderAt) : "—"}</IndexTable.Cell>
                    <IndexTable.Cell>{r.rfmSegment ? <Badge>{t(`analytics.segments.${r.rfmSegment}`)}</Badge> : null}</IndexTable.Cell>
                    <IndexTable.Cell>{r.acceptsEmailMarketing ? <Badge tone="success">{t("customers.filters.subscribed")}</Badge> : <Badge>{t("customers.filters.notSubscribed")}</Badge>}</IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

// The dashboard: KPIs for a period against the previous one, the RFM grid, spend distribution,
// segment sizes over time with the latest transitions, and cohort retention. Data: core/dashboard.
import { Link as RemixLink, useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Banner, BlockStack, Button, ButtonGroup, Card, EmptyState, InlineGrid, InlineStack, Layout, Link, Page, ProgressBar, SkeletonBodyText, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { recoveredRevenue } from "#app/core/flows/attribution.server.ts";
import { storeOverview } from "#app/core/metrics/overview.server.ts";
import { formatMoney } from "#app/core/money.ts";
import { latestSyncRun } from "#app/core/sync/sync-runs.server.ts";
import { dashboardCohorts, loadDashboard, type Kpi, type RfmCell } from "#app/core/dashboard/dashboard.server.ts";
import { DASHBOARD_PERIODS, parsePeriod, DEFAULT_PERIOD, type Delta } from "#app/core/dashboard/periods.ts";
import { RFM_SEGMENTS } from "#app/core/analytics/segments.ts";
import { ChartCard } from "#app/components/chart-card.tsx";
import { AdminTitleBar } from "#app/components/admin-feedback.tsx";
import { PageErrorBoundary } from "#app/components/page-error.tsx";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const url = new URL(request.url);
  // The cohort table's own request (the page loads it after showing everything else).
  const scanOpts = { onError: (err: unknown) => services.log.error({ err, storeId: store.id }, "dashboard snapshot refresh failed") };
  if (url.searchParams.get("part") === "cohorts") return json({ part: "cohorts" as const, ...(await dashboardCohorts(services.db, store, new Date(), scanOpts)) });
  const period = parsePeriod(url.searchParams.get("period"));
  const days = period.ok ? period.days : DEFAULT_PERIOD;
  const now = new Date();
  const [overview, sync, dash, enabledFlows] = await Promise.all([
    storeOverview(services.db, store.id, scanOpts),
    latestSyncRun(services.db, store.id, "backfill"),
    loadDashboard(services.db, store, days, now, scanOpts),
    services.db.flow.count({ where: { storeId: store.id, enabled: true } }),
  ]);
  // No follow-up running: nothing to recover yet, the card invites to set one up.
  const recovered = enabledFlows ? await recoveredRevenue(services.db, store.id, { from: new Date(now.getTime() - days * 86_400_000), to: now }) : null;
  return json(
    {
      part: "page" as const,
      store: { name: store.name, currency: store.currency, isDemo: store.isDemo, timezone: store.timezone },
      days,
      periodError: period.ok ? null : period.message,
      overview: { ...overview, revenueMinor: overview.revenueMinor.toString(), averageOrderMinor: overview.averageOrderMinor.toString() },
      sync: sync ? { status: sync.status, done: sync.done, total: sync.total } : null,
      kpis: dash.kpis,
      // When the scan-based figures (buyers, LTV, RFM grid, histogram) were computed; null: live.
      scannedAt: dash.scannedAt,
      // Days still being recounted after an import (the totals banner says so and the page polls).
      pendingDays: dash.pendingDays,
      // Orders credited to follow-up messages in the period (app/core/flows/attribution.server.ts); null: no flow enabled.
      recoveredRevenueMinor: recovered ? recovered.totalMinor.toString() : null,
      grid: dash.grid,
      histogram: dash.histogram,
      history: dash.history,
    },
    { status: period.ok ? 200 : 400 },
  );
};

function DeltaText({ delta, t }: { delta: Delta | null; t: TFunction }) {
  if (!delta) return null;
  const arrow = delta.direction === "up" ? "↑" : delta.direction === "down" ? "↓" : "→";
  const tone = delta.direction === "up" ? "success" : delta.direction === "down" ? "critical" : "subdued";
  const label = delta.percent === null ? t("home.deltaNew") : `${delta.percent > 0 ? "+" : ""}${delta.percent}%`;
  return (
    <Text as="span" tone={tone} variant="bodySm">
      <span aria-hidden="true">{arrow} </span>
      {t(`home.delta.${delta.direction}`, { change: label })}
    </Text>
  );
}

export default function Dashboard() {
  const loaded = useLoaderData<typeof loader>();
  const cohortsFetcher = useFetcher<typeof loader>();
  const cohortsState = cohortsFetcher.state;
  const loadCohorts = cohortsFetcher.load;
  useEffect(() => {
    if (cohortsState === "idle" && !cohortsFetcher.data) loadCohorts("/app?index&part=cohorts");
  }, [cohortsState, cohortsFetcher.data, loadCohorts]);
  if (loaded.part !== "page") return null;
  const cohorts = cohortsFetcher.data?.part === "cohorts" ? cohortsFetcher.data : null;
  return <DashboardPage data={loaded} cohorts={cohorts} />;
}

type PageData = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { part: "page" }>;

type CohortRows = { month: string; customers: number; retained: number[] }[];

function DashboardPage({ data, cohorts }: { data: PageData; cohorts: { cohorts: CohortRows; computedAt: string | null } | null }) {
  const { store, overview, sync, kpis, grid, histogram, history, days } = data;
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (minor: string | number) => formatMoney(minor, store.currency, lang);
  const num = (n: number, digits = 0) => n.toLocaleString(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const pct = (n: number) => n.toLocaleString(lang, { style: "percent", maximumFractionDigits: 1 });
  const syncing = sync && (sync.status === "running" || sync.status === "queued");
  const revalidator = useRevalidator();
  // Poll while an import runs (or its days are being recounted) so the progress bar and counts move.
  const polling = Boolean(syncing) || data.pendingDays > 0;
  useEffect(() => {
    if (!polling) return;
    const id = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(id);
  }, [polling, revalidator]);

  const kpiValue = (k: Kpi) => {
    if (k.value === null) return "—";
    if (k.kind === "money") return money(k.value as string);
    if (k.kind === "rate") return pct(k.value as number);
    if (k.kind === "ratio") return num(k.value as number, 2);
    return num(k.value as number);
  };
  const totals = [
    { id: "orders", label: t("dashboard.orders"), value: num(overview.orders) },
    { id: "revenue", label: t("dashboard.revenue"), value: money(overview.revenueMinor) },
    { id: "unpaid", label: t("dashboard.unpaidBoletos"), value: num(overview.unpaidPayments), url: "/app/flows" },
    { id: "abandoned", label: t("dashboard.abandonedCheckouts"), value: num(overview.abandonedCheckouts), url: "/app/flows" },
  ];
  const segName = (s: string | null) => (s ? t(`analytics.segments.${s}`) : t("home.noSegment"));
  const binLabel = (b: { fromMinor: number; toMinor: number | null }) =>
    b.toMinor === null ? t("home.spendFrom", { from: money(b.fromMinor) }) : t("home.spendRange", { from: money(b.fromMinor), to: money(b.toMinor) });
  const runDate = (iso: string) => new Intl.DateTimeFormat(lang, { dateStyle: "short", timeZone: store.timezone }).format(new Date(iso));
  const updatedAt = (iso: string | null) =>
    iso ? t("home.updatedAt", { at: new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "short", timeZone: store.timezone }).format(new Date(iso)) }) : null;
  const monthLabel = (ymd: string) => new Intl.DateTimeFormat(lang, { month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(`${ymd}T00:00:00Z`));

  return (
    <Page
      title={t("dashboard.title")}
      subtitle={store.name}
      primaryAction={
        <ButtonGroup variant="segmented">
          {DASHBOARD_PERIODS.map((p) => (
            <Button key={p} url={`?period=${p}`} pressed={p === days} accessibilityLabel={t("home.periodLabel", { days: p })}>
              {t("home.periodDays", { days: p })}
            </Button>
          ))}
        </ButtonGroup>
      }
    >
      <AdminTitleBar title={t("dashboard.title")} />
      <Layout>
        {data.periodError ? (
          <Layout.Section>
            <Banner tone="warning" title={t("home.badPeriod")}>
              <p>{data.periodError}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {data.pendingDays > 0 ? (
          <Layout.Section>
            <Banner tone="info" title={t("home.totalsPendingTitle")}>
              <p id="dashboard-totals-pending">{t("home.totalsPending", { days: num(data.pendingDays) })}</p>
            </Banner>
          </Layout.Section>
        ) : null}
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
                <Text as="p">{sync.total ? t("dashboard.syncRunning", { done: num(sync.done), total: num(sync.total) }) : t("dashboard.syncQueued")}</Text>
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
          <>
            <Layout.Section>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("home.kpisTitle", { days })}
                </Text>
                <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
                  {kpis.map((k) => (
                    <Card key={k.id}>
                      <BlockStack gap="100">
                        <Text as="h3" variant="headingSm" tone="subdued">
                          {t(`home.kpi.${k.id}`)}
                        </Text>
                        <Text as="p" variant="headingXl" id={`kpi-${k.id}`}>
                          {kpiValue(k)}
                        </Text>
                        <DeltaText delta={k.delta} t={t} />
                        {k.updatedAt ? (
                          <Text as="p" variant="bodySm" tone="subdued">
                            {updatedAt(k.updatedAt)}
                          </Text>
                        ) : null}
                      </BlockStack>
                    </Card>
                  ))}
                  <Card>
                    <BlockStack gap="100">
                      <Text as="h3" variant="headingSm" tone="subdued">
                        {t("home.kpi.recoveredRevenue")}
                      </Text>
                      <Text as="p" variant="headingXl" id="kpi-recoveredRevenue">
                        {data.recoveredRevenueMinor === null ? "—" : money(data.recoveredRevenueMinor)}
                      </Text>
                      {data.recoveredRevenueMinor === null ? <Link url="/app/flows">{t("home.setUpFollowUps")}</Link> : null}
                    </BlockStack>
                  </Card>
                </InlineGrid>
              </BlockStack>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("home.totalsTitle")}
                  </Text>
                  <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
                    {totals.map((x) => (
                      <BlockStack key={x.id} gap="050">
                        <Text as="h3" variant="bodySm" tone="subdued">
                          {x.label}
                        </Text>
                        <Text as="p" variant="headingLg" id={`kpi-${x.id}`}>
                          {x.value}
                        </Text>
                      </BlockStack>
                    ))}
                  </InlineGrid>
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <RfmGridCard grid={grid} money={money} num={num} t={t} updated={updatedAt(data.scannedAt)} />
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <ChartCard
                id="chart-spend"
                title={t("home.spendTitle")}
                subtitle={data.scannedAt ? `${t("home.spendHelp")} ${updatedAt(data.scannedAt)}` : t("home.spendHelp")}
                type="bar"
                data={[{ name: t("home.customersSeries"), data: histogram.map((b) => ({ key: binLabel(b), value: b.customers })) }]}
                table={{ headings: [t("home.spendBin"), t("home.customersSeries")], rows: histogram.map((b) => [binLabel(b), num(b.customers)]) }}
              />
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <ChartCard
                id="chart-segments"
                title={t("home.segmentsOverTime")}
                subtitle={history.runs.length ? t("home.segmentsOverTimeHelp", { runs: history.runs.length }) : t("home.noRuns")}
                type="line"
                data={RFM_SEGMENTS.filter((s) => history.runs.some((r) => r.sizes[s])).map((s) => ({ name: segName(s), data: history.runs.map((r) => ({ key: runDate(r.at), value: r.sizes[s] ?? 0 })) }))}
                table={{
                  headings: [t("home.run"), ...RFM_SEGMENTS.map((s) => segName(s))],
                  rows: history.runs.map((r) => [runDate(r.at), ...RFM_SEGMENTS.map((s) => num(r.sizes[s] ?? 0))]),
                }}
              />
            </Layout.Section>
            <Layout.Section>
              <TransitionCard transitions={history.transitions} segName={segName} num={num} t={t} />
            </Layout.Section>
            <Layout.Section>
              <CohortCard cohorts={cohorts?.cohorts ?? null} updated={updatedAt(cohorts?.computedAt ?? null)} monthLabel={monthLabel} pct={pct} num={num} t={t} />
            </Layout.Section>
          </>
        )}
      </Layout>
    </Page>
  );
}

/** A card holding one wide table (scrollable, labelled by the card's heading), or a sentence when there is no data. */
function TableCard({ titleId, title, help, updated, loading, empty, emptyText, children }: { titleId: string; title: string; help: string; updated?: string | null; loading?: boolean; empty: boolean; emptyText: string; children: React.ReactNode }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd" id={titleId}>
          {title}
        </Text>
        <Text as="p" tone="subdued">
          {help}
        </Text>
        {updated ? (
          <Text as="p" variant="bodySm" tone="subdued" id={`${titleId}-updated`}>
            {updated}
          </Text>
        ) : null}
        {loading ? (
          <div aria-busy="true" id={`${titleId}-loading`}>
            <SkeletonBodyText lines={6} />
          </div>
        ) : empty ? (
          <Text as="p">{emptyText}</Text>
        ) : (
          <ScrollRegion labelledBy={titleId}>{children}</ScrollRegion>
        )}
      </BlockStack>
    </Card>
  );
}

/** A wide table's horizontal scroll area, focusable so keyboard users can scroll it. */
function ScrollRegion({ labelledBy, children }: { labelledBy: string; children: React.ReactNode }) {
  return (
    <div role="region" aria-labelledby={labelledBy} tabIndex={0} style={{ overflowX: "auto" }}>
      {children}
    </div>
  );
}

const cellStyle: React.CSSProperties = { padding: "8px", textAlign: "center", borderBottom: "1px solid var(--p-color-border-secondary)" };

function RfmGridCard({ grid, money, num, t, updated }: { grid: RfmCell[]; money: (m: string) => string; num: (n: number) => string; t: TFunction; updated: string | null }) {
  const at = (r: number, f: number) => grid.find((c) => c.r === r && c.f === f);
  const max = Math.max(1, ...grid.map((c) => c.customers));
  return (
    <TableCard titleId="rfm-grid-title" title={t("home.rfmTitle")} help={t("home.rfmHelp")} updated={updated} empty={grid.length === 0} emptyText={t("home.rfmEmpty")}>
        <table id="rfm-grid" aria-labelledby="rfm-grid-title" style={{ borderCollapse: "collapse", width: "100%" }}>
          <thead>
            <tr>
              <th scope="col" style={cellStyle}>
                {t("home.recencyFrequency")}
              </th>
              {[1, 2, 3, 4, 5].map((f) => (
                <th key={f} scope="col" style={cellStyle}>
                  {t("home.frequencyScore", { score: f })}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[5, 4, 3, 2, 1].map((r) => (
              <tr key={r}>
                <th scope="row" style={cellStyle}>
                  {t("home.recencyScore", { score: r })}
                </th>
                {[1, 2, 3, 4, 5].map((f) => {
                  const c = at(r, f);
                  const shade = c ? 0.08 + 0.5 * (c.customers / max) : 0;
                  return (
                    <td key={f} style={{ ...cellStyle, background: `rgba(0, 128, 96, ${shade})` }}>
                      {c ? (
                        <RemixLink to={`/app/segments?rfm=${c.segment}`} style={{ color: "inherit", textDecoration: "none", display: "block" }} aria-label={t("home.rfmCellLabel", { segment: t(`analytics.segments.${c.segment}`), customers: num(c.customers), revenue: money(c.revenueMinor) })}>
                          <Text as="span" variant="headingSm">
                            {num(c.customers)}
                          </Text>
                          <br />
                          <Text as="span" variant="bodySm">
                            {money(c.revenueMinor)}
                          </Text>
                          <br />
                          <Text as="span" variant="bodySm">
                            {t(`analytics.segments.${c.segment}`)}
                          </Text>
                        </RemixLink>
                      ) : (
                        "—"
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
    </TableCard>
  );
}

function TransitionCard({ transitions, segName, num, t }: { transitions: { from: string | null; to: string | null; customers: number }[]; segName: (s: string | null) => string; num: (n: number) => string; t: TFunction }) {
  const froms = [null, ...RFM_SEGMENTS].filter((s) => transitions.some((x) => x.from === s));
  const tos = [...RFM_SEGMENTS, null].filter((s) => transitions.some((x) => x.to === s));
  const count = (f: string | null, to: string | null) => transitions.find((x) => x.from === f && x.to === to)?.customers ?? 0;
  return (
    <TableCard titleId="transitions-title" title={t("home.transitionsTitle")} help={t("home.transitionsHelp")} empty={transitions.length === 0} emptyText={t("home.noRuns")}>
        <table id="transition-matrix" aria-labelledby="transitions-title" style={{ borderCollapse: "collapse", width: "100%" }}>
          <thead>
            <tr>
              <th scope="col" style={cellStyle}>
                {t("home.fromTo")}
              </th>
              {tos.map((s) => (
                <th key={s ?? "none"} scope="col" style={cellStyle}>
                  {segName(s)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {froms.map((f) => (
              <tr key={f ?? "none"}>
                <th scope="row" style={{ ...cellStyle, textAlign: "left" }}>
                  {segName(f)}
                </th>
                {tos.map((to) => {
                  const n = count(f, to);
                  return (
                    <td key={to ?? "none"} style={{ ...cellStyle, fontWeight: f === to ? 600 : 400 }}>
                      {n ? num(n) : "·"}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
    </TableCard>
  );
}

function CohortCard({ cohorts: loadedCohorts, updated, monthLabel, pct, num, t }: { cohorts: CohortRows | null; updated: string | null; monthLabel: (m: string) => string; pct: (n: number) => string; num: (n: number) => string; t: TFunction }) {
  const cohorts = loadedCohorts ?? [];
  const width = Math.max(0, ...cohorts.map((c) => c.retained.length));
  return (
    <TableCard titleId="cohorts-title" title={t("home.cohortsTitle")} help={t("home.cohortsHelp")} updated={updated} loading={loadedCohorts === null} empty={cohorts.length === 0} emptyText={t("home.cohortsEmpty")}>
        <table id="cohort-table" aria-labelledby="cohorts-title" style={{ borderCollapse: "collapse", width: "100%" }}>
          <thead>
            <tr>
              <th scope="col" style={cellStyle}>
                {t("home.cohort")}
              </th>
              <th scope="col" style={cellStyle}>
                {t("home.customersSeries")}
              </th>
              {Array.from({ length: width - 1 }, (_, i) => (
                <th key={i} scope="col" style={cellStyle}>
                  {t("home.monthN", { n: i + 1 })}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cohorts.map((c) => (
              <tr key={c.month}>
                <th scope="row" style={cellStyle}>
                  {monthLabel(c.month)}
                </th>
                <td style={cellStyle}>{num(c.customers)}</td>
                {Array.from({ length: width - 1 }, (_, i) => {
                  const k = i + 1;
                  if (k >= c.retained.length && k > monthsSince(c.month, cohorts)) return <td key={k} style={cellStyle} />;
                  const share = c.customers ? (c.retained[k] ?? 0) / c.customers : 0;
                  return (
                    <td key={k} style={{ ...cellStyle, background: `rgba(0, 91, 211, ${0.05 + share * 0.9})` }}>
                      {pct(share)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
    </TableCard>
  );
}

/** Months between a cohort and the newest cohort: the cells that exist for it. */
function monthsSince(month: string, cohorts: { month: string }[]): number {
  const last = cohorts[cohorts.length - 1]!.month;
  const [y1, m1] = month.split("-").map(Number) as [number, number];
  const [y2, m2] = last.split("-").map(Number) as [number, number];
  return (y2 - y1) * 12 + (m2 - m1);
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

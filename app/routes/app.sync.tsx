// Sync status: the latest backfill, reconciliation and tag push with progress and time left,
// errors in plain words, and the two things a merchant can start by hand: a full resync from the
// platform and a push of segment tags.
import { useFetcher, useLoaderData, useOutlet, useRevalidator } from "@remix-run/react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Badge, Banner, BlockStack, Card, EmptyState, InlineStack, Layout, List, Page, ProgressBar, Text } from "@shopify/polaris";
import type { SyncKind } from "@prisma/client";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { describeProgress, formatDuration } from "#app/core/sync/progress.ts";
import { latestSyncRuns } from "#app/core/sync/sync-runs.server.ts";
import { requestSyncRun } from "#app/jobs/request-sync-run.server.ts";
import type { TagPushReport } from "#app/core/tags/segment-tags.ts";
import { QUEUES } from "#app/jobs/queues.ts";

const KINDS: SyncKind[] = ["backfill", "reconcile", "tag_push", "rescore"];

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const now = new Date();
  const runs = (await latestSyncRuns(services.db, store.id))
    .sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind))
    .map((run) => ({
      id: run.id,
      kind: run.kind,
      status: run.status,
      done: run.done,
      total: run.total,
      failed: run.failed,
      error: run.error,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      progress: describeProgress(run, now),
      report: run.kind === "tag_push" && run.cursor ? (run.cursor as unknown as TagPushReport) : null,
    }));
  return {
    store: { platform: store.platform, isDemo: store.isDemo, timezone: store.timezone, lastSyncedAt: store.lastSyncedAt?.toISOString() ?? null },
    runs,
  };
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const intent = String((await request.formData()).get("intent"));
  if (intent !== "resync" && intent !== "push-tags") return { ok: false as const, error: "unknownIntent" };
  if (intent === "resync" && (store.isDemo || store.platform !== "shopify")) return { ok: false as const, error: "resyncUnavailable" };
  const kind: SyncKind = intent === "resync" ? "backfill" : "tag_push";
  // One at a time: a second click while one is queued or running changes nothing.
  const run = await requestSyncRun(services, store.id, kind, intent === "resync" ? QUEUES.shopifyBackfill : QUEUES.tagsPush);
  if (!run) return { ok: false as const, error: "alreadyRunning" };
  return { ok: true as const, error: null };
};

export default function SyncStatus() {
  const { store, runs } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { t, i18n } = useTranslation();
  const revalidator = useRevalidator();
  const active = runs.some((run) => run.status === "queued" || run.status === "running");
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(id);
  }, [active, revalidator]);

  const number = (n: number) => n.toLocaleString(i18n.language);
  const when = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: store.timezone }).format(new Date(iso));
  const units = { h: t("sync.unitH"), min: t("sync.unitMin"), s: t("sync.unitS") };
  const busy = (kind: SyncKind) => runs.some((run) => run.kind === kind && (run.status === "queued" || run.status === "running"));
  const submit = (intent: string) => fetcher.submit({ intent }, { method: "post" });
  const canResync = store.platform === "shopify" && !store.isDemo;
  // Child pages (app.sync.failures) replace this one rather than render inside it.
  const outlet = useOutlet();
  if (outlet) return outlet;

  return (
    <Page
      title={t("sync.title")}
      subtitle={store.lastSyncedAt ? t("sync.lastSynced", { when: when(store.lastSyncedAt) }) : undefined}
      primaryAction={{
        content: t("sync.resync"),
        onAction: () => submit("resync"),
        disabled: !canResync || busy("backfill"),
        loading: fetcher.state !== "idle" && fetcher.formData?.get("intent") === "resync",
        helpText: canResync ? t("sync.resyncHelp") : t("sync.resyncUnavailable"),
      }}
      secondaryActions={[
        { content: t("sync.pushTags"), onAction: () => submit("push-tags"), disabled: busy("tag_push"), helpText: t("sync.pushTagsHelp") },
        { content: t("failures.link"), url: "/app/sync/failures" },
      ]}
    >
      <Layout>
        {fetcher.data && !fetcher.data.ok ? (
          <Layout.Section>
            <Banner tone="warning">{t(`sync.errors.${fetcher.data.error}`)}</Banner>
          </Layout.Section>
        ) : null}
        {store.isDemo ? (
          <Layout.Section>
            <Banner tone="info">{t("sync.resyncUnavailable")}</Banner>
          </Layout.Section>
        ) : null}
        {runs.length === 0 ? (
          <Layout.Section>
            <Card>
              <EmptyState heading={t("sync.emptyTitle")} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png">
                <p>{t("sync.emptyBody")}</p>
              </EmptyState>
            </Card>
          </Layout.Section>
        ) : null}
        {runs.map((run) => (
          <Layout.Section key={run.kind}>
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t(`sync.kinds.${run.kind}`)}
                  </Text>
                  <Badge tone={run.status === "failed" ? "critical" : run.status === "done" ? "success" : "info"} progress={run.status === "done" ? "complete" : run.status === "running" ? "partiallyComplete" : "incomplete"}>
                    {t(`sync.status.${run.status}`)}
                  </Badge>
                </InlineStack>
                {run.status === "running" || run.status === "queued" ? (
                  <>
                    <ProgressBar progress={run.progress.percent ?? 0} size="small" tone="primary" />
                    <Text as="p" tone="subdued" id={`sync-${run.kind}-progress`}>
                      {run.total ? t("sync.progress", { done: number(run.done), total: number(run.total), percent: run.progress.percent ?? 0 }) : t("sync.waiting")}
                      {run.progress.etaSeconds !== null ? ` · ${t("sync.eta", { eta: formatDuration(run.progress.etaSeconds, units) })}` : ""}
                    </Text>
                  </>
                ) : (
                  <Text as="p" tone="subdued" id={`sync-${run.kind}-summary`}>
                    {run.finishedAt ? t("sync.finished", { when: when(run.finishedAt), done: number(run.done) }) : null}
                    {run.progress.elapsedSeconds !== null ? ` · ${t("sync.took", { duration: formatDuration(run.progress.elapsedSeconds, units) })}` : ""}
                  </Text>
                )}
                {run.report ? (
                  <Text as="p" id="sync-tag-report">
                    {t("sync.tagReport", { pushed: number(run.report.pushed), unchanged: number(run.report.unchanged), failed: number(run.report.failed) })}
                  </Text>
                ) : null}
                {run.report && run.report.failures.length ? (
                  <List type="bullet">
                    {run.report.failures.slice(0, 10).map((f) => (
                      <List.Item key={f.customerId}>{t("sync.tagFailure", { customer: f.platformId, reason: f.reason })}</List.Item>
                    ))}
                  </List>
                ) : null}
                {run.status === "failed" ? (
                  <Banner tone="critical" title={t("sync.failedTitle")}>
                    <BlockStack gap="100">
                      <Text as="p">{run.error}</Text>
                      <Text as="p">{t(`sync.failedHelp.${run.kind}`)}</Text>
                    </BlockStack>
                  </Banner>
                ) : null}
              </BlockStack>
            </Card>
          </Layout.Section>
        ))}
      </Layout>
    </Page>
  );
}

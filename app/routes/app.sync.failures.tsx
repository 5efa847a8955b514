// Failed webhook deliveries of this store (the dead-letter list): what arrived, when, how many
// attempts, what went wrong in plain words, and whether we are still retrying it. "Retry" queues it
// once more; "Dismiss" hides it. Another store's failure id is a 404.
import { useFetcher, useLoaderData } from "@remix-run/react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Badge, Banner, BlockStack, Button, Card, EmptyState, IndexTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { dismissFailure, listFailures, parseFailureId, retryFailure } from "#app/core/sync/failures.server.ts";
import type { FailureState } from "#app/core/sync/failures.ts";

const PAGE_SIZE = 100;

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const { failures, total } = await listFailures(services, store.id, { limit: PAGE_SIZE });
  return {
    timezone: store.timezone,
    total,
    failures: failures.map((f) => ({ ...f, receivedAt: f.receivedAt.toISOString() })),
  };
};

const ActionInput = z.object({
  intent: z.enum(["retry", "dismiss"]),
  id: z.string().regex(/^\d{1,18}$/, "must be a failure id (digits)"),
});

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const parsed = ActionInput.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return json({ ok: false as const, intent: null, error: `${issue.path.join(".")}: ${issue.message}` }, { status: 400 });
  }
  const id = parseFailureId(parsed.data.id)!;
  const done = parsed.data.intent === "retry" ? await retryFailure(services, store.id, id) : await dismissFailure(services, store.id, id);
  if (!done) throw new Response("Not Found", { status: 404 });
  return json({ ok: true as const, intent: parsed.data.intent, error: null });
};

const TONES: Record<FailureState, "attention" | "critical" | "info"> = { retrying: "attention", deadLettered: "critical", gaveUp: "info" };

export default function SyncFailures() {
  const { failures, total, timezone } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { t, i18n } = useTranslation();
  const when = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: timezone }).format(new Date(iso));
  const busyId = fetcher.state !== "idle" ? String(fetcher.formData?.get("id") ?? "") : null;
  const submit = (intent: "retry" | "dismiss", id: string) => fetcher.submit({ intent, id }, { method: "post" });

  return (
    <Page
      title={t("failures.title")}
      subtitle={t("failures.subtitle")}
      titleMetadata={total ? <Badge tone="critical">{t("failures.count", { number: total.toLocaleString(i18n.language) })}</Badge> : undefined}
      backAction={{ content: t("failures.back"), url: "/app/sync" }}
    >
      <Layout>
        {fetcher.data?.ok ? (
          <Layout.Section>
            <Banner tone="success">{fetcher.data.intent === "retry" ? t("failures.retried") : t("failures.dismissed")}</Banner>
          </Layout.Section>
        ) : null}
        {fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? (
          <Layout.Section>
            <Banner tone="warning">{t("failures.notFound")}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          {failures.length === 0 ? (
            <Card>
              <EmptyState heading={t("failures.emptyTitle")} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png">
                <p>{t("failures.emptyBody")}</p>
              </EmptyState>
            </Card>
          ) : (
            <Card padding="0">
              <BlockStack gap="200">
                <IndexTable
                  resourceName={{ singular: t("failures.title"), plural: t("failures.title") }}
                  itemCount={failures.length}
                  selectable={false}
                  headings={[
                    { title: t("failures.columns.topic") },
                    { title: t("failures.columns.when") },
                    { title: t("failures.columns.attempts"), alignment: "end" },
                    { title: t("failures.columns.reason") },
                    { title: t("failures.columns.state") },
                    { title: t("failures.columns.actions") },
                  ]}
                >
                  {failures.map((f, index) => (
                    <IndexTable.Row id={f.id} key={f.id} position={index}>
                      <IndexTable.Cell>
                        <Text as="span" fontWeight="semibold">
                          {f.topic}
                        </Text>
                        {f.resourceId ? (
                          <Text as="p" tone="subdued" variant="bodySm">
                            {f.resourceId}
                          </Text>
                        ) : null}
                      </IndexTable.Cell>
                      <IndexTable.Cell>{when(f.receivedAt)}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {f.attempts.toLocaleString(i18n.language)}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <BlockStack gap="100">
                          <Text as="p">{t(`failures.reasons.${f.reason}`)}</Text>
                          {f.detail ? (
                            <Text as="p" tone="subdued" variant="bodySm" breakWord>
                              {f.detail}
                            </Text>
                          ) : null}
                        </BlockStack>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Badge tone={TONES[f.state]}>{t(`failures.states.${f.state}`)}</Badge>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <InlineStack gap="200" wrap={false}>
                          <Button
                            onClick={() => submit("retry", f.id)}
                            disabled={busyId !== null}
                            loading={busyId === f.id && fetcher.formData?.get("intent") === "retry"}
                            accessibilityLabel={t("failures.retryLabel", { id: f.id })}
                          >
                            {t("failures.retry")}
                          </Button>
                          <Button
                            variant="plain"
                            onClick={() => submit("dismiss", f.id)}
                            disabled={busyId !== null}
                            accessibilityLabel={t("failures.dismissLabel", { id: f.id })}
                          >
                            {t("failures.dismiss")}
                          </Button>
                        </InlineStack>
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
                {total > failures.length ? (
                  <div style={{ padding: "var(--p-space-300)" }}>
                    <Text as="p" tone="subdued">
                      {t("failures.more", { shown: failures.length, total })}
                    </Text>
                  </div>
                ) : null}
              </BlockStack>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}

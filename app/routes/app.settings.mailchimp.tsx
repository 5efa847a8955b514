// Settings → Mailchimp: the API key (checked against Mailchimp, then stored encrypted; never sent
// back to the browser), the audience to sync, which segments become Mailchimp tags, "Sync now"
// and the last sync's report. Only customers who accept email marketing are ever subscribed.
import { useFetcher, useLoaderData } from "@remix-run/react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Badge, Banner, BlockStack, Button, Card, ChoiceList, FormLayout, InlineStack, Layout, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { decryptSecret, encryptSecret } from "#app/core/crypto.ts";
import { dataCentreOf, MailchimpError } from "#adapters/mailchimp/client.server.ts";
import { enqueueMailchimpSync, keyringOf, mailchimpFor, type MailchimpReport } from "#app/jobs/mailchimp-sync.server.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const conn = await services.db.mailchimpConnection.findUnique({ where: { storeId: store.id } });
  const segments = await services.db.segment.findMany({ where: { storeId: store.id }, select: { id: true, name: true }, orderBy: { name: "asc" } });
  let lists: { id: string; name: string; members: number }[] = [];
  let listsError: string | null = null;
  if (conn) {
    try {
      lists = await mailchimpFor(services, decryptSecret(conn.apiKey, keyringOf(services.secrets)), { retryBaseMs: 200 }).lists();
    } catch (e) {
      listsError = (e as Error).message;
    }
  }
  return {
    timezone: store.timezone,
    connection: conn
      ? { server: conn.server, listId: conn.listId, listName: conn.listName, segmentIds: conn.segmentIds, lastSyncedAt: conn.lastSyncedAt?.toISOString() ?? null, lastReport: (conn.lastReport as MailchimpReport | null) ?? null }
      : null,
    lists,
    listsError,
    segments,
  };
};

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("saveKey"), apiKey: z.string().trim().refine((k) => dataCentreOf(k) !== null, "invalidKey") }),
  z.object({
    intent: z.literal("saveAudience"),
    listId: z.string().trim().min(1, "listMissing"),
    segmentIds: z.string().default("").transform((s, ctx) => {
      const ids = s.split(",").filter(Boolean).map(Number);
      if (ids.some((n) => !Number.isInteger(n) || n <= 0)) ctx.addIssue({ code: "custom", message: "invalidSegments" });
      return ids;
    }),
  }),
  z.object({ intent: z.literal("sync") }),
  z.object({ intent: z.literal("disconnect") }),
]);

type ActionResult = { ok: true; done: string } | { ok: false; error: string; path?: string; detail?: string };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<ActionResult> => {
  const { store, services } = await requireAdmin(request, context);
  const { db } = services;
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: issue.message.match(/^[a-zA-Z]+$/) ? issue.message : "invalid", path: issue.path.join(".") };
  }
  const input = parsed.data;
  const conn = await db.mailchimpConnection.findUnique({ where: { storeId: store.id } });
  switch (input.intent) {
    case "saveKey": {
      try {
        await mailchimpFor(services, input.apiKey, { retryBaseMs: 200 }).ping();
      } catch (e) {
        return { ok: false, error: e instanceof MailchimpError && e.status === 401 ? "keyRefused" : "unreachable", path: "apiKey", detail: (e as Error).message };
      }
      const data = { apiKey: encryptSecret(input.apiKey, keyringOf(services.secrets)), server: dataCentreOf(input.apiKey)! };
      // A new key may be another Mailchimp account: the audience is chosen again.
      await db.mailchimpConnection.upsert({ where: { storeId: store.id }, create: { storeId: store.id, ...data }, update: { ...data, listId: null, listName: null } });
      return { ok: true, done: "keySaved" };
    }
    case "saveAudience": {
      if (!conn) return { ok: false, error: "notConnected" };
      const lists = await mailchimpFor(services, decryptSecret(conn.apiKey, keyringOf(services.secrets)), { retryBaseMs: 200 }).lists();
      const list = lists.find((l) => l.id === input.listId);
      if (!list) return { ok: false, error: "unknownList", path: "listId" };
      const owned = await db.segment.count({ where: { storeId: store.id, id: { in: input.segmentIds } } });
      if (owned !== new Set(input.segmentIds).size) return { ok: false, error: "invalidSegments", path: "segmentIds" };
      if (conn.listId && conn.listId !== list.id) await db.mailchimpMember.deleteMany({ where: { storeId: store.id } });
      await db.mailchimpConnection.update({ where: { storeId: store.id }, data: { listId: list.id, listName: list.name, segmentIds: [...new Set(input.segmentIds)] } });
      return { ok: true, done: "audienceSaved" };
    }
    case "sync": {
      if (!conn?.listId) return { ok: false, error: "notConnected" };
      await enqueueMailchimpSync(services, store.id);
      return { ok: true, done: "syncQueued" };
    }
    case "disconnect": {
      await db.mailchimpMember.deleteMany({ where: { storeId: store.id } });
      await db.mailchimpConnection.deleteMany({ where: { storeId: store.id } });
      return { ok: true, done: "disconnected" };
    }
  }
};

export default function MailchimpSettings() {
  const { connection, lists, listsError, segments, timezone } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { t, i18n } = useTranslation();
  const [apiKey, setApiKey] = useState("");
  const [listId, setListId] = useState(connection?.listId ?? "");
  const [chosen, setChosen] = useState<string[]>((connection?.segmentIds ?? []).map(String));
  const busy = (intent: string) => fetcher.state !== "idle" && fetcher.formData?.get("intent") === intent;
  const result = fetcher.data;
  const when = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: timezone }).format(new Date(iso));
  const report = connection?.lastReport;

  return (
    <Page title={t("exports.mailchimp.title")} backAction={{ content: t("nav.settings"), url: "/app/settings" }}>
      <Layout>
        <Layout.Section>
          <Banner tone="info">{t("exports.mailchimp.consentNote")}</Banner>
        </Layout.Section>
        {result ? (
          <Layout.Section>
            {result.ok ? (
              <Banner tone="success">{t(`exports.mailchimp.done.${result.done}`)}</Banner>
            ) : (
              <Banner tone="critical" title={t(`exports.mailchimp.errors.${result.error}`, { defaultValue: t("exports.mailchimp.errors.invalid") })}>
                {result.detail ? <Text as="p">{result.detail}</Text> : null}
              </Banner>
            )}
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <fetcher.Form method="post">
              <FormLayout>
                <input type="hidden" name="intent" value="saveKey" />
                <Text as="h2" variant="headingMd">
                  {t("exports.mailchimp.keyTitle")}
                </Text>
                {connection ? (
                  <InlineStack gap="200" blockAlign="center">
                    <Badge tone="success">{t("exports.mailchimp.connected")}</Badge>
                    <Text as="span" tone="subdued">
                      {t("exports.mailchimp.server", { server: connection.server })}
                    </Text>
                  </InlineStack>
                ) : null}
                <TextField
                  label={t("exports.mailchimp.keyLabel")}
                  name="apiKey"
                  type="password"
                  value={apiKey}
                  onChange={setApiKey}
                  autoComplete="off"
                  helpText={t("exports.mailchimp.keyHelp")}
                  error={result && !result.ok && result.path === "apiKey" ? t(`exports.mailchimp.errors.${result.error}`) : undefined}
                />
                <InlineStack gap="200">
                  <Button submit variant="primary" loading={busy("saveKey")} disabled={!apiKey}>
                    {connection ? t("exports.mailchimp.replaceKey") : t("exports.mailchimp.connect")}
                  </Button>
                  {connection ? (
                    <Button tone="critical" variant="plain" onClick={() => fetcher.submit({ intent: "disconnect" }, { method: "post" })} loading={busy("disconnect")}>
                      {t("exports.mailchimp.disconnect")}
                    </Button>
                  ) : null}
                </InlineStack>
              </FormLayout>
            </fetcher.Form>
          </Card>
        </Layout.Section>
        {connection ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("exports.mailchimp.audienceTitle")}
                </Text>
                {listsError ? <Banner tone="critical">{listsError}</Banner> : null}
                <Select
                  label={t("exports.mailchimp.audience")}
                  options={[{ label: t("exports.mailchimp.chooseAudience"), value: "" }, ...lists.map((l) => ({ label: t("exports.mailchimp.audienceOption", { name: l.name, count: l.members }), value: l.id }))]}
                  value={listId}
                  onChange={setListId}
                />
                {segments.length ? (
                  <ChoiceList allowMultiple title={t("exports.mailchimp.segmentsTitle")} choices={segments.map((s) => ({ label: s.name, value: String(s.id) }))} selected={chosen} onChange={setChosen} />
                ) : (
                  <Text as="p" tone="subdued">
                    {t("exports.mailchimp.noSegments")}
                  </Text>
                )}
                <InlineStack gap="200">
                  <Button variant="primary" disabled={!listId} loading={busy("saveAudience")} onClick={() => fetcher.submit({ intent: "saveAudience", listId, segmentIds: chosen.join(",") }, { method: "post" })}>
                    {t("exports.mailchimp.saveAudience")}
                  </Button>
                  <Button disabled={!connection.listId} loading={busy("sync")} onClick={() => fetcher.submit({ intent: "sync" }, { method: "post" })}>
                    {t("exports.mailchimp.syncNow")}
                  </Button>
                </InlineStack>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {connection?.lastSyncedAt && report ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("exports.mailchimp.lastSync", { when: when(connection.lastSyncedAt) })}
                </Text>
                <Text as="p" id="mailchimp-report">
                  {t("exports.mailchimp.report", { upserted: report.upserted, unsubscribed: report.unsubscribed, tagged: report.tagged, unchanged: report.unchanged, removed: report.removed ?? 0, failed: report.failed })}
                </Text>
                {report.failures.length ? (
                  <List type="bullet">
                    {report.failures.slice(0, 20).map((f) => (
                      <List.Item key={f.customerId}>{t("exports.mailchimp.failure", { email: f.email, reason: f.reason })}</List.Item>
                    ))}
                  </List>
                ) : null}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}

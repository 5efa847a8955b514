// "Connect WooCommerce store" (standalone admin): the WooCommerce authorisation flow, the
// paste-keys fallback (keys are tested before they are saved), and each connected store's sync
// state: import progress, or why the sync is paused. Keys are never sent back to the browser.
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Badge, Banner, BlockStack, Button, Card, FormLayout, InlineStack, Layout, Page, ProgressBar, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { isEmbeddedRequest } from "#app/auth/admin.server.ts";
import { requireStandaloneLogin, standaloneSessions } from "#app/auth/standalone.server.ts";
import { latestSyncRun } from "#app/core/sync/sync-runs.server.ts";
import { beginWooConnect, connectWithKeys, startWooImport, wooSyncState } from "#app/jobs/woocommerce-connection.server.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { services } = context;
  if (isEmbeddedRequest(services, request)) throw redirect("/app");
  await requireStandaloneLogin(services, request);
  const url = new URL(request.url);
  const stores = await services.db.store.findMany({ where: { platform: "woocommerce" }, orderBy: { id: "asc" } });
  const rows = await Promise.all(
    stores.map(async (s) => {
      const run = await latestSyncRun(services.db, s.id, "backfill");
      return {
        id: s.id,
        name: s.name,
        domain: s.domain,
        hasKeys: Boolean(s.credentials),
        sync: wooSyncState(s),
        lastSyncedAt: s.lastSyncedAt?.toISOString() ?? null,
        run: run ? { status: run.status, done: run.done, total: run.total, error: run.error } : null,
      };
    }),
  );
  const returned = url.searchParams.get("success");
  return json({ stores: rows, returned: returned === "1" ? ("approved" as const) : returned === "0" ? ("denied" as const) : null });
};

type ActionResult = { error: string; detail?: string } | { connected: number };

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { services } = context;
  const session = await requireStandaloneLogin(services, request);
  const form = await request.formData();
  const field = (k: string) => String(form.get(k) ?? "").trim();
  const intent = field("intent");
  if (intent === "authorize" || intent === "keys") {
    if (!field("siteUrl")) return json<ActionResult>({ error: "siteUrlMissing" }, { status: 400 });
    if (intent === "authorize") {
      try {
        const { authorizeUrl } = await beginWooConnect(services, field("siteUrl"), field("name"));
        return redirect(authorizeUrl);
      } catch (e) {
        return json<ActionResult>({ error: "siteUrlInvalid", detail: (e as Error).message }, { status: 400 });
      }
    }
    if (!field("consumerKey") || !field("consumerSecret")) return json<ActionResult>({ error: "keysMissing" }, { status: 400 });
    const r = await connectWithKeys(services, { siteUrl: field("siteUrl"), name: field("name"), consumerKey: field("consumerKey"), consumerSecret: field("consumerSecret") });
    if (!r.ok) return json<ActionResult>({ error: r.reason === "refused" ? "keysRefused" : r.reason === "invalid" ? "siteUrlInvalid" : "unreachable", detail: r.detail }, { status: 400 });
    return json<ActionResult>({ connected: r.storeId });
  }
  const storeId = Number(field("storeId"));
  const store = Number.isInteger(storeId) ? await services.db.store.findUnique({ where: { id: storeId } }) : null;
  if (!store || store.platform !== "woocommerce") return json<ActionResult>({ error: "unknownStore" }, { status: 404 });
  if (intent === "resync") {
    await startWooImport(services, store.id);
    return json<ActionResult>({ connected: store.id });
  }
  if (intent === "open") {
    session.set("storeId", store.id);
    return redirect("/app", { headers: { "Set-Cookie": await standaloneSessions(services).commitSession(session) } });
  }
  return json<ActionResult>({ error: "unknownIntent" }, { status: 400 });
};

export default function ConnectWooCommerce() {
  const { stores, returned } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const { t, i18n } = useTranslation();
  const [siteUrl, setSiteUrl] = useState("");
  const [name, setName] = useState("");
  const [consumerKey, setConsumerKey] = useState("");
  const [consumerSecret, setConsumerSecret] = useState("");
  const busy = navigation.state !== "idle";
  const importing = stores.some((s) => (s.run ? s.run.status === "running" || s.run.status === "queued" : s.hasKeys && s.sync.state === "connected"));
  useEffect(() => {
    if (!importing) return;
    const id = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(id);
  }, [importing, revalidator]);
  // Once saved, the keys leave the page too (they are never shown again).
  const saved = result && "connected" in result;
  useEffect(() => {
    if (!saved) return;
    setConsumerKey("");
    setConsumerSecret("");
  }, [saved]);
  const n = (v: number) => v.toLocaleString(i18n.language);
  // Both ways of connecting ask for the same site: one state, shown in both forms.
  const siteFields = (
    <>
      <TextField label={t("woocommerce.siteUrl")} name="siteUrl" value={siteUrl} onChange={setSiteUrl} placeholder="https://minhaloja.com.br" autoComplete="url" />
      <TextField label={t("woocommerce.storeName")} name="name" value={name} onChange={setName} autoComplete="off" />
    </>
  );

  return (
    <Page title={t("woocommerce.title")} subtitle={t("woocommerce.subtitle")}>
      <Layout>
        {returned ? (
          <Layout.Section>
            <Banner tone={returned === "approved" ? "success" : "warning"}>{t(`woocommerce.returned.${returned}`)}</Banner>
          </Layout.Section>
        ) : null}
        {result && "error" in result ? (
          <Layout.Section>
            <Banner tone="critical" title={t(`woocommerce.errors.${result.error}`)}>
              {result.detail ? <p>{result.detail}</p> : null}
            </Banner>
          </Layout.Section>
        ) : null}
        {result && "connected" in result ? (
          <Layout.Section>
            <Banner tone="success">{t("woocommerce.connected")}</Banner>
          </Layout.Section>
        ) : null}

        {stores.length ? (
          <Layout.Section>
            <BlockStack gap="300">
              {stores.map((s) => (
                <Card key={s.id}>
                  <BlockStack gap="200">
                    <InlineStack align="space-between" blockAlign="center">
                      <BlockStack gap="050">
                        <Text as="h2" variant="headingMd">
                          {s.name}
                        </Text>
                        <Text as="p" tone="subdued">
                          {s.domain}
                        </Text>
                      </BlockStack>
                      <Badge tone={s.sync.state === "connected" ? "success" : s.sync.state === "paused" ? "critical" : "attention"}>{t(`woocommerce.state.${s.sync.state}`)}</Badge>
                    </InlineStack>
                    {s.sync.state === "paused" ? (
                      <Banner tone="critical" title={t("woocommerce.pausedTitle")}>
                        <p>{t("woocommerce.pausedBody")}</p>
                        <p>{s.sync.reason}</p>
                      </Banner>
                    ) : null}
                    {s.hasKeys && !s.run && s.sync.state === "connected" ? <Text as="p">{t("woocommerce.importQueued")}</Text> : null}
                    {s.run && (s.run.status === "running" || s.run.status === "queued") ? (
                      <BlockStack gap="100">
                        <Text as="p">{s.run.total ? t("woocommerce.importing", { done: n(s.run.done), total: n(s.run.total) }) : t("woocommerce.importQueued")}</Text>
                        <ProgressBar progress={s.run.total ? Math.min(100, Math.round((100 * s.run.done) / s.run.total)) : 0} size="small" />
                      </BlockStack>
                    ) : null}
                    {s.run?.status === "failed" && s.sync.state !== "paused" ? <Banner tone="warning" title={t("woocommerce.importFailed")}>{s.run.error}</Banner> : null}
                    {s.lastSyncedAt ? <Text as="p" tone="subdued">{t("woocommerce.lastSynced", { when: new Date(s.lastSyncedAt).toLocaleString(i18n.language) })}</Text> : null}
                    <InlineStack gap="200">
                      <StoreAction storeId={s.id} intent="open" label={t("woocommerce.open")} disabled={busy} />
                      {s.hasKeys ? <StoreAction storeId={s.id} intent="resync" label={t("woocommerce.resync")} disabled={busy} /> : null}
                    </InlineStack>
                  </BlockStack>
                </Card>
              ))}
            </BlockStack>
          </Layout.Section>
        ) : null}

        <Layout.Section>
          <Card>
            <Form method="post">
              <input type="hidden" name="intent" value="authorize" />
              <FormLayout>
                <Text as="h2" variant="headingMd">
                  {t("woocommerce.connectTitle")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("woocommerce.connectHelp")}
                </Text>
                {siteFields}
                <Button submit variant="primary" loading={busy && navigation.formData?.get("intent") === "authorize"}>
                  {t("woocommerce.authorize")}
                </Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <Form method="post" autoComplete="off">
              <input type="hidden" name="intent" value="keys" />
              <FormLayout>
                <Text as="h2" variant="headingMd">
                  {t("woocommerce.keysTitle")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("woocommerce.keysHelp")}
                </Text>
                {siteFields}
                <TextField label={t("woocommerce.consumerKey")} name="consumerKey" value={consumerKey} onChange={setConsumerKey} autoComplete="off" placeholder="ck_…" />
                <TextField label={t("woocommerce.consumerSecret")} name="consumerSecret" type="password" value={consumerSecret} onChange={setConsumerSecret} autoComplete="off" placeholder="cs_…" />
                <Button submit loading={busy && navigation.formData?.get("intent") === "keys"}>
                  {t("woocommerce.testAndSave")}
                </Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function StoreAction({ storeId, intent, label, disabled }: { storeId: number; intent: string; label: string; disabled: boolean }) {
  return (
    <Form method="post">
      <input type="hidden" name="storeId" value={storeId} />
      <input type="hidden" name="intent" value={intent} />
      <Button submit disabled={disabled}>
        {label}
      </Button>
    </Form>
  );
}

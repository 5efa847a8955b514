// Settings: tag prefix, RFM options (saving a change queues a rescore), quiet hours, the admin's
// language, the store connection, and links to the settings pages of other areas (e-mail, API,
// Mailchimp, privacy). One zod-validated form with errors next to their fields and a save bar.
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Banner, BlockStack, Box, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import type { Prisma } from "@prisma/client";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { getStandaloneSession, standaloneSessions } from "#app/auth/standalone.server.ts";
import { DEFAULT_QUIET_HOURS, mergeStoreSettings, parseSettingsForm, readStoreSettings } from "#app/core/settings/store-settings.ts";
import { enqueueRescore } from "#app/jobs/rescore.server.ts";
import { AdminTitleBar, useToast } from "#app/components/admin-feedback.tsx";
import { FormSaveBar } from "#app/components/save-bar.tsx";
import { PageErrorBoundary } from "#app/components/page-error.tsx";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services, mode } = await requireAdmin(request, context);
  const view = readStoreSettings(store.settings);
  const session = mode === "standalone" ? await getStandaloneSession(services, request) : null;
  const language = session?.get("locale");
  return {
    mode,
    store: { name: store.name, platform: store.platform, domain: store.domain, isDemo: store.isDemo, timezone: store.timezone, lastSyncedAt: store.lastSyncedAt?.toISOString() ?? null },
    form: {
      tagPrefix: view.tagPrefix,
      rfmWindow: view.rfm.windowMonths === null ? "all" : String(view.rfm.windowMonths),
      tiePolicy: view.rfm.tiePolicy,
      quietHoursEnabled: view.quietHours ? "on" : "off",
      quietStart: view.quietHours?.start ?? DEFAULT_QUIET_HOURS.start,
      quietEnd: view.quietHours?.end ?? DEFAULT_QUIET_HOURS.end,
      language: language === "pt-BR" || language === "en" ? language : "auto",
    },
  };
};

type ActionResult = { ok: true; rescoreQueued: boolean; prefixChanged: boolean } | { ok: false; errors: Record<string, string> };

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services, mode } = await requireAdmin(request, context);
  const form = Object.fromEntries(await request.formData());
  const parsed = parseSettingsForm(form);
  if (!parsed.ok) return json<ActionResult>({ ok: false, errors: parsed.errors }, { status: 400 });
  const { settings, rfmChanged, prefixChanged } = mergeStoreSettings(store.settings, parsed.value);
  await services.db.store.update({ where: { id: store.id }, data: { settings: settings as Prisma.InputJsonObject } });
  if (rfmChanged) await enqueueRescore(services.boss, store.id);
  const headers = new Headers();
  if (mode === "standalone") {
    const sessions = standaloneSessions(services);
    const session = await sessions.getSession(request.headers.get("Cookie"));
    if (parsed.value.language === "auto") session.unset("locale");
    else session.set("locale", parsed.value.language);
    headers.append("Set-Cookie", await sessions.commitSession(session));
  }
  return json<ActionResult>({ ok: true, rescoreQueued: rfmChanged, prefixChanged }, { headers });
};

type FormState = ReturnType<typeof useLoaderData<typeof loader>>["form"];

export default function Settings() {
  const { store, form: initial, mode } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const toast = useToast();
  const { t } = useTranslation();
  const [form, setForm] = useState<FormState>(initial);
  // After a save the loader runs again: start from what is stored now.
  useEffect(() => setForm(initial), [initial]);
  const dirty = useMemo(() => (Object.keys(initial) as (keyof FormState)[]).some((k) => form[k] !== initial[k]), [form, initial]);
  const saving = navigation.state === "submitting";
  const errors = result && !result.ok ? result.errors : {};
  const err = (key: string) => (errors[key] ? t(`settings.errors.${errors[key]}`) : undefined);
  const set = <K extends keyof FormState>(key: K) => (value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const save = () => submit(form, { method: "post" });

  useEffect(() => {
    if (result?.ok) toast(result.rescoreQueued ? t("settings.savedRescore") : t("settings.saved"));
    else if (result && !result.ok) toast(t("settings.fixErrors"), { error: true });
  }, [result, toast, t]);

  const windowOptions = [
    { label: t("settings.rfm.allTime"), value: "all" },
    ...[3, 6, 12, 24, 36].map((m) => ({ label: t("settings.rfm.months", { count: m }), value: String(m) })),
  ];
  if (!windowOptions.some((o) => o.value === form.rfmWindow)) windowOptions.push({ label: form.rfmWindow, value: form.rfmWindow });

  return (
    <Page title={t("settings.title")} primaryAction={{ content: t("settings.save"), onAction: save, loading: saving, disabled: !dirty && !(result && !result.ok), id: "settings-save" }}>
      <AdminTitleBar title={t("settings.title")} />
      <FormSaveBar id="settings-save-bar" open={dirty} saving={saving} message={t("settings.unsaved")} saveLabel={t("settings.save")} discardLabel={t("settings.discard")} onSave={save} onDiscard={() => setForm(initial)} />
      <Layout>
        {result && !result.ok ? (
          <Layout.Section>
            <Banner tone="critical" title={t("settings.fixErrors")}>
              <ul id="settings-errors">
                {Object.entries(errors).map(([k, v]) => (
                  <li key={k}>
                    {t(`settings.fields.${k}`, { defaultValue: k })}: {t(`settings.errors.${v}`)}
                  </li>
                ))}
              </ul>
            </Banner>
          </Layout.Section>
        ) : null}
        {result?.ok && result.prefixChanged ? (
          <Layout.Section>
            <Banner tone="info" title={t("settings.prefixChangedTitle")} action={{ content: t("settings.openSync"), url: "/app/sync" }}>
              <p>{t("settings.prefixChangedBody")}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.AnnotatedSection title={t("settings.tags.title")} description={t("settings.tags.description")}>
          <Card>
            <TextField label={t("settings.fields.tagPrefix")} name="tagPrefix" value={form.tagPrefix} onChange={set("tagPrefix")} autoComplete="off" error={err("tagPrefix")} helpText={t("settings.tags.help", { example: `${form.tagPrefix}VIP` })} />
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("settings.rfm.title")} description={t("settings.rfm.description")}>
          <Card>
            <FormLayout>
              <Select label={t("settings.fields.rfmWindow")} name="rfmWindow" options={windowOptions} value={form.rfmWindow} onChange={set("rfmWindow")} error={err("rfmWindow")} />
              <Select
                label={t("settings.fields.tiePolicy")}
                name="tiePolicy"
                options={[
                  { label: t("settings.rfm.rank"), value: "rank" },
                  { label: t("settings.rfm.ntile"), value: "ntile" },
                ]}
                value={form.tiePolicy}
                onChange={set("tiePolicy")}
                error={err("tiePolicy")}
                helpText={form.tiePolicy === "rank" ? t("settings.rfm.rankHelp") : t("settings.rfm.ntileHelp")}
              />
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("settings.quiet.title")} description={t("settings.quiet.description", { timezone: store.timezone })}>
          <Card>
            <FormLayout>
              <Checkbox label={t("settings.fields.quietHoursEnabled")} checked={form.quietHoursEnabled === "on"} onChange={(v) => set("quietHoursEnabled")(v ? "on" : "off")} />
              <FormLayout.Group condensed>
                <TextField label={t("settings.fields.quietStart")} name="quietStart" value={form.quietStart} onChange={set("quietStart")} autoComplete="off" placeholder="21:00" disabled={form.quietHoursEnabled !== "on"} error={err("quietStart")} />
                <TextField label={t("settings.fields.quietEnd")} name="quietEnd" value={form.quietEnd} onChange={set("quietEnd")} autoComplete="off" placeholder="08:00" disabled={form.quietHoursEnabled !== "on"} error={err("quietEnd")} />
              </FormLayout.Group>
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("settings.language.title")} description={mode === "embedded" ? t("settings.language.embedded") : t("settings.language.description")}>
          <Card>
            <Select
              label={t("settings.fields.language")}
              name="language"
              disabled={mode === "embedded"}
              options={[
                { label: t("settings.language.auto"), value: "auto" },
                { label: "Português (Brasil)", value: "pt-BR" },
                { label: "English", value: "en" },
              ]}
              value={form.language}
              onChange={set("language")}
              error={err("language")}
            />
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("settings.connection.title")} description={t("settings.connection.description")}>
          <Card>
            <BlockStack gap="200">
              <Text as="p">
                {t(`settings.connection.${store.platform}`)}: <Text as="span" fontWeight="semibold">{store.domain}</Text>
                {store.isDemo ? ` (${t("settings.connection.demo")})` : ""}
              </Text>
              <Text as="p" tone="subdued">
                {store.lastSyncedAt ? t("settings.connection.lastSynced", { when: new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: store.timezone }).format(new Date(store.lastSyncedAt)) }) : t("settings.connection.neverSynced")}
              </Text>
              <InlineStack gap="200">
                <Button url="/app/sync">{t("settings.connection.resync")}</Button>
                {store.platform === "woocommerce" || mode === "standalone" ? <Button url="/app/woocommerce">{t("settings.connection.woocommerce_link")}</Button> : null}
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title={t("settings.more.title")} description={t("settings.more.description")}>
          <Card>
            <BlockStack gap="200">
              {(["email", "api", "mailchimp", "privacy"] as const).map((k) => (
                <Box key={k}>
                  <Link url={`/app/settings/${k}`}>{t(`settings.more.${k}`)}</Link>
                  <Text as="p" tone="subdued" variant="bodySm">
                    {t(`settings.more.${k}Help`)}
                  </Text>
                </Box>
              ))}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.Section>
          <InlineStack align="end">
            <Button variant="primary" onClick={save} loading={saving} id="settings-save-bottom">
              {t("settings.save")}
            </Button>
          </InlineStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

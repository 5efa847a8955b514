// Email provider of the store: SMTP, SendGrid or Mandrill, the sender, the credentials (stored
// encrypted, never shown again) and a test send through the saved settings.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { emailSettingsView, saveEmailSettings } from "#app/core/email/settings.server.ts";
import { linkKey } from "#app/core/email/tokens.ts";
import { pickLocale } from "#app/core/flows/model.ts";
import { sendTestEmail } from "#app/jobs/flows-test-send.server.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store } = await requireAdmin(request, context);
  return { settings: emailSettingsView(store), storeName: store.name };
};

type ActionData = { ok: boolean; intent: string; errors?: { path: string; message: string }[]; error?: string | null; provider?: string; to?: string };

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const form = Object.fromEntries(await request.formData()) as Record<string, string>;
  const keys = { current: services.secrets.encryptionKey, previous: services.secrets.encryptionKeyOld };
  if (form.intent === "save") {
    const { intent: _intent, ...input } = form;
    const r = await saveEmailSettings(services.db, store.id, input, keys);
    if (!r.ok) return Response.json({ ok: false, intent: "save", errors: r.errors } satisfies ActionData, { status: 400 });
    return Response.json({ ok: true, intent: "save" } satisfies ActionData);
  }
  if (form.intent === "test") {
    const to = z.email().safeParse(form.to);
    if (!to.success) return Response.json({ ok: false, intent: "test", errors: [{ path: "to", message: to.error.issues[0]!.message }] } satisfies ActionData, { status: 400 });
    const fresh = await services.db.store.findUniqueOrThrow({ where: { id: store.id } });
    const r = await sendTestEmail({ keys, appUrl: services.config.appUrl, linkKey: linkKey(services.secrets.sessionSecret) }, fresh, to.data, { locale: pickLocale(form.locale, store.locale) });
    if (!r.ok) return Response.json({ ok: false, intent: "test", error: r.error } satisfies ActionData, { status: r.error === "notConfigured" ? 400 : 502 });
    return Response.json({ ok: true, intent: "test", provider: r.provider, to: to.data } satisfies ActionData);
  }
  return Response.json({ ok: false, intent: "", errors: [{ path: "intent", message: "unknown intent" }] } satisfies ActionData, { status: 400 });
};

export default function EmailSettings() {
  const { settings } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const save = useFetcher<ActionData>();
  const test = useFetcher<ActionData>();
  const [v, setV] = useState({
    provider: settings?.provider ?? "smtp",
    fromName: settings?.fromName ?? "",
    fromAddress: settings?.fromAddress ?? "",
    replyTo: settings?.replyTo ?? "",
    host: settings?.host ?? "",
    port: String(settings?.port ?? 587),
    secure: settings?.secure ?? false,
    user: settings?.user ?? "",
    secret: "",
  });
  const [to, setTo] = useState("");
  const set = (k: keyof typeof v) => (value: string | boolean) => setV((old) => ({ ...old, [k]: value }));
  const err = (path: string) => save.data?.errors?.find((e) => e.path === path)?.message;
  const smtp = v.provider === "smtp";
  return (
    <Page title={t("flows.settings.title")} backAction={{ content: t("flows.back"), url: "/app/flows" }}>
      <Layout>
        {save.data?.ok ? (
          <Layout.Section>
            <Banner tone="success">{t("flows.settings.saved")}</Banner>
          </Layout.Section>
        ) : null}
        {save.data && !save.data.ok ? (
          <Layout.Section>
            <Banner tone="critical">{t("flows.settings.invalid")}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <save.Form method="post">
              <input type="hidden" name="intent" value="save" />
              <input type="hidden" name="provider" value={v.provider} />
              <FormLayout>
                <Select
                  label={t("flows.settings.provider")}
                  options={(["smtp", "sendgrid", "mandrill"] as const).map((p) => ({ label: t(`flows.settings.providers.${p}`), value: p }))}
                  value={v.provider}
                  onChange={set("provider")}
                />
                <FormLayout.Group>
                  <TextField label={t("flows.settings.fromName")} name="fromName" value={v.fromName} onChange={set("fromName")} autoComplete="off" error={err("fromName")} />
                  <TextField label={t("flows.settings.fromAddress")} name="fromAddress" type="email" value={v.fromAddress} onChange={set("fromAddress")} autoComplete="off" error={err("fromAddress")} />
                </FormLayout.Group>
                <TextField label={t("flows.settings.replyTo")} name="replyTo" type="email" value={v.replyTo} onChange={set("replyTo")} autoComplete="off" error={err("replyTo")} />
                {smtp ? (
                  <>
                    <FormLayout.Group>
                      <TextField label={t("flows.settings.host")} name="host" value={v.host} onChange={set("host")} autoComplete="off" error={err("host")} />
                      <TextField label={t("flows.settings.port")} name="port" type="number" value={v.port} onChange={set("port")} autoComplete="off" error={err("port")} />
                    </FormLayout.Group>
                    <Checkbox label={t("flows.settings.secure")} checked={v.secure} onChange={set("secure")} />
                    <input type="hidden" name="secure" value={String(v.secure)} />
                    <TextField label={t("flows.settings.user")} name="user" value={v.user} onChange={set("user")} autoComplete="off" error={err("user")} />
                  </>
                ) : null}
                <TextField
                  label={smtp ? t("flows.settings.password") : t("flows.settings.apiKey")}
                  name="secret"
                  type="password"
                  value={v.secret}
                  onChange={set("secret")}
                  autoComplete="new-password"
                  helpText={settings?.hasSecret ? t("flows.settings.secretKept") : undefined}
                  error={err("secret")}
                />
                <Button submit variant="primary" loading={save.state !== "idle"}>
                  {t("flows.settings.save")}
                </Button>
              </FormLayout>
            </save.Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("flows.settings.testTitle")}
              </Text>
              <test.Form method="post">
                <input type="hidden" name="intent" value="test" />
                <input type="hidden" name="locale" value={i18n.language} />
                <InlineStack gap="200" blockAlign="end">
                  <TextField label={t("flows.settings.testTo")} name="to" type="email" value={to} onChange={setTo} autoComplete="email" error={test.data?.errors?.find((e) => e.path === "to")?.message} />
                  <Button submit loading={test.state !== "idle"} disabled={!settings}>
                    {t("flows.settings.testSend")}
                  </Button>
                </InlineStack>
              </test.Form>
              {!settings ? <Text as="p" tone="subdued">{t("flows.settings.notConfigured")}</Text> : null}
              {test.data?.ok ? <Banner tone="success">{t("flows.settings.testSent", { provider: test.data.provider, to: test.data.to })}</Banner> : null}
              {test.data && !test.data.ok && test.data.error ? (
                <Banner tone="critical">{test.data.error === "notConfigured" ? t("flows.settings.notConfigured") : t("flows.settings.testFailed", { error: test.data.error })}</Banner>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

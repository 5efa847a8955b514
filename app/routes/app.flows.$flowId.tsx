// One flow: its trigger, its steps (delay from the trigger, channel, condition, discount code) and
// each step's subject and body in pt-BR and English with a live preview on sample data, a test
// send, and per-step numbers (sent, opened, clicked, recovered) for the last 30 days.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { linkKey } from "#app/core/email/tokens.ts";
import { messageStats, recoveredRevenue } from "#app/core/flows/attribution.server.ts";
import { getFlow, saveFlow } from "#app/core/flows/manage.server.ts";
import { LOCALES, parseFlowSettings, parseStepOptions, parseTrigger, pickLocale, stepContentSchema, type FlowLocale, type FlowTrigger, type StepInput } from "#app/core/flows/model.ts";
import { BODY_VARIABLES, renderMessage, sampleVars } from "#app/core/flows/render.ts";
import { formatMoney } from "#app/core/money.ts";
import { sendTestEmail } from "#app/jobs/flows-test-send.server.ts";

const DAY = 86_400_000;

function flowId(params: { flowId?: string }): number {
  const id = Number(params.flowId);
  if (!Number.isInteger(id) || id <= 0) throw new Response("Not found", { status: 404 });
  return id;
}

export const loader = async ({ request, params, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const flow = await getFlow(services.db, store.id, flowId(params));
  if (!flow) throw new Response("Not found", { status: 404 });
  const to = new Date();
  const range = { from: new Date(to.getTime() - 30 * DAY), to };
  const [stats, revenue] = await Promise.all([messageStats(services.db, store.id, range, flow.id), recoveredRevenue(services.db, store.id, range)]);
  const flowRevenue = revenue.byFlow.find((f) => f.flowId === flow.id);
  return {
    store: { name: store.name, currency: store.currency, locale: pickLocale(store.locale, store.locale) },
    flow: {
      id: flow.id,
      name: flow.name,
      template: flow.template,
      enabled: flow.enabled,
      trigger: parseTrigger(flow.trigger),
      settings: parseFlowSettings(flow.settings),
      steps: flow.steps.map((s) => ({
        id: s.id,
        delayMinutes: s.delayMinutes,
        channel: s.channel as StepInput["channel"],
        condition: s.condition ?? null,
        content: stepContentSchema.parse(s.content),
        options: parseStepOptions(s.options),
        stats: {
          sent: stats.find((x) => x.stepId === s.id)?.sent ?? 0,
          opened: stats.find((x) => x.stepId === s.id)?.opened ?? 0,
          clicked: stats.find((x) => x.stepId === s.id)?.clicked ?? 0,
          recoveredMinor: (flowRevenue?.bySteps.find((x) => x.stepId === s.id)?.totalMinor ?? 0n).toString(),
        },
      })),
    },
  };
};

const testSchema = z.object({ to: z.email(), locale: z.enum(LOCALES), content: stepContentSchema });

export const action = async ({ request, params, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const id = flowId(params);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  let payload: unknown;
  try {
    payload = JSON.parse(String(form.get("payload") ?? "null"));
  } catch {
    return Response.json({ ok: false, errors: [{ path: "payload", message: "invalid JSON" }] }, { status: 400 });
  }
  if (intent === "save") {
    const result = await saveFlow(services.db, store.id, id, payload);
    if (!result.ok && result.status === 404) throw new Response("Not found", { status: 404 });
    if (!result.ok) return Response.json({ ok: false, intent, errors: result.errors }, { status: 400 });
    return Response.json({ ok: true, intent });
  }
  if (intent === "test") {
    if (!(await getFlow(services.db, store.id, id))) throw new Response("Not found", { status: 404 });
    const parsed = testSchema.safeParse(payload);
    if (!parsed.success) return Response.json({ ok: false, intent, errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) }, { status: 400 });
    const r = await sendTestEmail(
      { keys: { current: services.secrets.encryptionKey, previous: services.secrets.encryptionKeyOld }, appUrl: services.config.appUrl, linkKey: linkKey(services.secrets.sessionSecret) },
      store,
      parsed.data.to,
      { content: parsed.data.content, locale: parsed.data.locale },
    );
    return Response.json({ ok: r.ok, intent, to: parsed.data.to, error: r.ok ? null : r.error }, { status: r.ok ? 200 : 502 });
  }
  return Response.json({ ok: false, errors: [{ path: "intent", message: "unknown intent" }] }, { status: 400 });
};

type EditorStep = { delayHours: string; channel: StepInput["channel"]; condition: string; discount: string; content: StepInput["content"]; options: StepInput["options"] };

function triggerText(t: ReturnType<typeof useTranslation>["t"], trigger: FlowTrigger): string {
  switch (trigger.type) {
    case "payment_pending":
      return t("flows.triggers.payment_pending", { method: trigger.method === "pix" ? "Pix" : "boleto" });
    case "segment_entered":
      return t("flows.triggers.segment_entered", { segments: [...trigger.segmentNames, ...trigger.segmentIds.map(String)].join(", ") });
    case "no_purchase":
      return t("flows.triggers.no_purchase", { factor: trigger.factor, days: trigger.minDays });
    default:
      return t(`flows.triggers.${trigger.type}`);
  }
}

export default function FlowEditor() {
  const { store, flow } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const save = useFetcher<{ ok: boolean; errors?: { path: string; message: string }[] }>();
  const test = useFetcher<{ ok: boolean; to?: string; error?: string | null; errors?: { path: string; message: string }[] }>();
  const [name, setName] = useState(flow.name);
  const [steps, setSteps] = useState<EditorStep[]>(() =>
    flow.steps.map((s) => ({
      delayHours: String(Math.round((s.delayMinutes / 60) * 100) / 100),
      channel: s.channel,
      condition: s.condition ? JSON.stringify(s.condition) : "",
      discount: s.options.discountPercent ? String(s.options.discountPercent) : "",
      content: s.content,
      options: s.options,
    })),
  );
  const [selected, setSelected] = useState(0);
  const [lang, setLang] = useState<FlowLocale>(store.locale);
  const [testTo, setTestTo] = useState("");
  const step = steps[selected];
  const money = (minor: number | string) => formatMoney(minor, store.currency, lang);
  const preview = useMemo(() => {
    if (!step) return null;
    try {
      return renderMessage(step.content, lang, sampleVars(lang, store.name, (m) => formatMoney(m, store.currency, lang)));
    } catch {
      return null;
    }
  }, [step, lang, store.name, store.currency]);
  const errorFor = (path: string) => save.data?.errors?.find((e) => e.path === path)?.message;
  const update = (i: number, patch: Partial<EditorStep>) => setSteps((all) => all.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const setText = (i: number, field: "subject" | "body", value: string) =>
    setSteps((all) => all.map((s, j) => (j === i ? { ...s, content: { ...s.content, [lang]: { ...s.content[lang], [field]: value } } } : s)));

  const payload = () => {
    const parseCondition = (c: string) => {
      try {
        return c.trim() ? JSON.parse(c) : null;
      } catch {
        // Sent as text: the server answers which field is not a JSON object.
        return c;
      }
    };
    return JSON.stringify({
      name,
      trigger: flow.trigger,
      settings: flow.settings,
      steps: steps.map((s) => ({
        delayMinutes: Math.round(Number(s.delayHours) * 60),
        channel: s.channel,
        condition: parseCondition(s.condition),
        content: s.content,
        options: { ...s.options, discountPercent: s.discount.trim() ? Number(s.discount) : undefined },
      })),
    });
  };

  return (
    <Page
      backAction={{ content: t("flows.back"), url: "/app/flows" }}
      title={name}
      titleMetadata={<Badge tone={flow.enabled ? "success" : undefined}>{flow.enabled ? t("flows.status.on") : t("flows.status.off")}</Badge>}
      primaryAction={{ content: t("flows.editor.save"), loading: save.state !== "idle", onAction: () => save.submit({ intent: "save", payload: payload() }, { method: "post" }) }}
    >
      <Layout>
        {save.data?.ok ? (
          <Layout.Section>
            <Banner tone="success">{t("flows.editor.saved")}</Banner>
          </Layout.Section>
        ) : null}
        {save.data && !save.data.ok ? (
          <Layout.Section>
            <Banner tone="critical" title={t("flows.editor.invalid")}>
              <ul>
                {save.data.errors?.map((e) => (
                  <li key={e.path}>
                    {e.path}: {e.message}
                  </li>
                ))}
              </ul>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <TextField label={t("flows.columns.name")} value={name} onChange={setName} autoComplete="off" error={errorFor("name")} />
              <Text as="p">
                <Text as="span" fontWeight="semibold">
                  {t("flows.editor.trigger")}:
                </Text>{" "}
                {triggerText(t, flow.trigger)} · {t(`flows.kind.${flow.settings.kind}`)}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="center">
              <Text as="h2" variant="headingMd">
                {t("flows.editor.steps")}
              </Text>
              <ButtonGroup>
                <Button onClick={() => setSteps((all) => [...all, { ...all[all.length - 1]!, delayHours: String(Number(all[all.length - 1]!.delayHours) + 24) }])} disabled={steps.length >= 10}>
                  {t("flows.editor.addStep")}
                </Button>
                <Button
                  tone="critical"
                  onClick={() => {
                    setSteps((all) => all.filter((_, j) => j !== selected));
                    setSelected(0);
                  }}
                  disabled={steps.length <= 1}
                >
                  {t("flows.editor.removeStep")}
                </Button>
              </ButtonGroup>
            </InlineStack>
            <ButtonGroup variant="segmented">
              {steps.map((s, i) => (
                <Button key={i} pressed={i === selected} onClick={() => setSelected(i)}>
                  {`${t("flows.editor.step", { n: i + 1 })} · ${s.delayHours} h`}
                </Button>
              ))}
            </ButtonGroup>
            {step ? (
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                <Card>
                  <BlockStack gap="300">
                    <InlineGrid columns={2} gap="300">
                      <TextField label={t("flows.editor.delay")} type="number" min={0} value={step.delayHours} onChange={(v) => update(selected, { delayHours: v })} autoComplete="off" error={errorFor(`steps.${selected}.delayMinutes`)} />
                      <Select
                        label={t("flows.editor.channel")}
                        options={[
                          { label: t("flows.editor.channels.email"), value: "email" },
                          { label: t("flows.editor.channels.webhook"), value: "webhook" },
                        ]}
                        value={step.channel}
                        onChange={(v) => update(selected, { channel: v as EditorStep["channel"] })}
                      />
                    </InlineGrid>
                    <Select label={t("flows.editor.previewLanguage")} options={[{ label: "Português (Brasil)", value: "pt-BR" }, { label: "English", value: "en" }]} value={lang} onChange={(v) => setLang(v as FlowLocale)} />
                    <TextField label={t("flows.editor.subject")} value={step.content[lang].subject} onChange={(v) => setText(selected, "subject", v)} autoComplete="off" error={errorFor(`steps.${selected}.content.${lang}.subject`)} />
                    <TextField
                      label={t("flows.editor.body")}
                      value={step.content[lang].body}
                      onChange={(v) => setText(selected, "body", v)}
                      multiline={8}
                      autoComplete="off"
                      helpText={t("flows.editor.bodyHelp", { vars: BODY_VARIABLES.map((v) => `{{${v}}}`).join(" ") })}
                      error={errorFor(`steps.${selected}.content.${lang}.body`)}
                    />
                    <TextField label={t("flows.editor.discount")} type="number" min={1} max={90} value={step.discount} onChange={(v) => update(selected, { discount: v })} autoComplete="off" error={errorFor(`steps.${selected}.options.discountPercent`)} />
                    <TextField label={t("flows.editor.condition")} value={step.condition} onChange={(v) => update(selected, { condition: v })} multiline={2} autoComplete="off" monospaced error={errorFor(`steps.${selected}.condition`)} />
                    <InlineGrid columns={4} gap="200">
                      {(["sent", "opened", "clicked"] as const).map((k) => (
                        <Box key={k}>
                          <Text as="p" tone="subdued">
                            {t(`flows.editor.stats.${k}`)}
                          </Text>
                          <Text as="p" variant="headingMd">
                            {(flow.steps[selected]?.stats[k] ?? 0).toLocaleString(i18n.language)}
                          </Text>
                        </Box>
                      ))}
                      <Box>
                        <Text as="p" tone="subdued">
                          {t("flows.editor.stats.recovered")}
                        </Text>
                        <Text as="p" variant="headingMd">
                          {money(flow.steps[selected]?.stats.recoveredMinor ?? "0")}
                        </Text>
                      </Box>
                    </InlineGrid>
                  </BlockStack>
                </Card>
                <Card>
                  <BlockStack gap="300">
                    <Text as="h3" variant="headingSm">
                      {t("flows.editor.preview")}: {preview?.subject}
                    </Text>
                    {preview ? <iframe title={t("flows.editor.preview")} srcDoc={preview.html} sandbox="" style={{ width: "100%", height: 520, border: "1px solid #e1e3e5", borderRadius: 8 }} /> : null}
                    <InlineStack gap="200" blockAlign="end">
                      <Box minWidth="240px">
                        <TextField label={t("flows.editor.testSendTo")} type="email" value={testTo} onChange={setTestTo} autoComplete="email" error={test.data?.errors?.find((e) => e.path === "to")?.message} />
                      </Box>
                      <Button loading={test.state !== "idle"} onClick={() => test.submit({ intent: "test", payload: JSON.stringify({ to: testTo, locale: lang, content: step.content }) }, { method: "post" })}>
                        {t("flows.editor.testSend")}
                      </Button>
                    </InlineStack>
                    {test.data?.ok ? <Banner tone="success">{t("flows.editor.testSent", { to: test.data.to })}</Banner> : null}
                    {test.data && !test.data.ok && test.data.error ? <Banner tone="critical">{test.data.error === "notConfigured" ? t("flows.settings.notConfigured") : t("flows.settings.testFailed", { error: test.data.error })}</Banner> : null}
                  </BlockStack>
                </Card>
              </InlineGrid>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

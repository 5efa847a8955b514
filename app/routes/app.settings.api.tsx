// Settings → API: the store's tokens for the read-only REST API (/api/v1). A new token is shown
// once, right after it is created; afterwards only its prefix is listed. Revoking is immediate.
import { useFetcher, useLoaderData } from "@remix-run/react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Badge, Banner, BlockStack, Box, Button, Card, EmptyState, FormLayout, IndexTable, InlineStack, Layout, Modal, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { createApiToken, revokeApiToken } from "#app/core/api/tokens.server.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  const tokens = await services.db.apiToken.findMany({ where: { storeId: store.id }, orderBy: { id: "desc" } });
  return {
    timezone: store.timezone,
    tokens: tokens.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    })),
  };
};

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), name: z.string().trim().min(1, "nameMissing").max(80, "nameTooLong") }),
  z.object({ intent: z.literal("revoke"), id: z.coerce.number().int().positive() }),
]);

type ActionResult = { ok: true; token?: string; prefix?: string } | { ok: false; error: string; path?: string };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<ActionResult> => {
  const { store, services } = await requireAdmin(request, context);
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: issue.path[0] === "name" ? issue.message : "invalid", path: issue.path.join(".") };
  }
  if (parsed.data.intent === "create") {
    const { token, prefix } = await createApiToken(services.db, store.id, parsed.data.name);
    return { ok: true, token, prefix };
  }
  return (await revokeApiToken(services.db, store.id, parsed.data.id)) ? { ok: true } : { ok: false, error: "notFound" };
};

export default function ApiSettings() {
  const { tokens, timezone } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { t, i18n } = useTranslation();
  const [name, setName] = useState("");
  const [revoking, setRevoking] = useState<{ id: number; name: string } | null>(null);
  const when = (iso: string | null) => (iso ? new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone: timezone }).format(new Date(iso)) : t("exports.api.never"));
  const result = fetcher.data;
  const created = result?.ok && result.token ? result.token : null;

  return (
    <Page title={t("exports.api.title")} backAction={{ content: t("nav.settings"), url: "/app/settings" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p">{t("exports.api.intro")}</Text>
              <Text as="p" tone="subdued">
                {t("exports.api.docs")} <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        {created ? (
          <Layout.Section>
            <Banner tone="success" title={t("exports.api.createdTitle")}>
              <BlockStack gap="200">
                <Text as="p">{t("exports.api.createdBody")}</Text>
                <Box padding="200" background="bg-surface-secondary" borderRadius="200">
                  <Text as="p" fontWeight="semibold" breakWord>
                    <code id="api-token-value">{created}</code>
                  </Text>
                </Box>
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        {result && !result.ok ? (
          <Layout.Section>
            <Banner tone="critical">{t(`exports.api.errors.${result.error}`, { defaultValue: t("exports.api.errors.invalid") })}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <fetcher.Form method="post" onSubmit={() => setName("")}>
              <FormLayout>
                <input type="hidden" name="intent" value="create" />
                <TextField label={t("exports.api.nameLabel")} name="name" value={name} onChange={setName} autoComplete="off" helpText={t("exports.api.nameHelp")} maxLength={80} />
                <InlineStack>
                  <Button submit variant="primary" loading={fetcher.state !== "idle" && fetcher.formData?.get("intent") === "create"}>
                    {t("exports.api.create")}
                  </Button>
                </InlineStack>
              </FormLayout>
            </fetcher.Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {tokens.length === 0 ? (
              <EmptyState heading={t("exports.api.emptyTitle")} image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png">
                <p>{t("exports.api.emptyBody")}</p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: t("exports.api.token"), plural: t("exports.api.tokens") }}
                itemCount={tokens.length}
                selectable={false}
                headings={[{ title: t("exports.api.colName") }, { title: t("exports.api.colPrefix") }, { title: t("exports.api.colCreated") }, { title: t("exports.api.colLastUsed") }, { title: t("exports.api.colStatus") }, { title: "" }]}
              >
                {tokens.map((tok, i) => (
                  <IndexTable.Row id={String(tok.id)} key={tok.id} position={i}>
                    <IndexTable.Cell>{tok.name}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <code>{tok.prefix}…</code>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{when(tok.createdAt)}</IndexTable.Cell>
                    <IndexTable.Cell>{when(tok.lastUsedAt)}</IndexTable.Cell>
                    <IndexTable.Cell>{tok.revokedAt ? <Badge tone="critical">{t("exports.api.revoked")}</Badge> : <Badge tone="success">{t("exports.api.active")}</Badge>}</IndexTable.Cell>
                    <IndexTable.Cell>
                      {tok.revokedAt ? null : (
                        <Button
                          tone="critical"
                          variant="plain"
                          accessibilityLabel={t("exports.api.revokeNamed", { name: tok.name })}
                          onClick={() => setRevoking({ id: tok.id, name: tok.name })}
                        >
                          {t("exports.api.revoke")}
                        </Button>
                      )}
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
      <Modal
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t("exports.api.revokeNamed", { name: revoking?.name ?? "" })}
        primaryAction={{
          content: t("exports.api.revoke"),
          destructive: true,
          onAction: () => {
            if (revoking) fetcher.submit({ intent: "revoke", id: String(revoking.id) }, { method: "post" });
            setRevoking(null);
          },
        }}
        secondaryActions={[{ content: t("exports.api.cancel"), onAction: () => setRevoking(null) }]}
      >
        <Modal.Section>
          <Text as="p">{t("exports.api.revokeConfirm", { name: revoking?.name ?? "" })}</Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}

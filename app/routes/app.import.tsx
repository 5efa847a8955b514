// Import offline / physical-store customers and sales from a CSV. The page is stateless: the
// browser keeps the file and sends it with every step. "Preview" (dry run) detects the columns,
// validates every row and shows what would be stored and what is wrong, line by line; "Import"
// writes it in one transaction. By default a file with any broken row imports nothing; the
// merchant may tick "import only the valid rows" (an order with a broken row is still left out
// whole). Afterwards the customers' stats are refreshed and the store is rescored.
import { useFetcher, useLoaderData } from "@remix-run/react";
import { MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Banner, BlockStack, Button, Card, Checkbox, DataTable, DropZone, InlineGrid, InlineStack, Layout, List, Page, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { detectMapping, IMPORT_FIELDS, mappingSchema, planImport, readCsv, type ColumnMapping } from "#app/core/import/plan.ts";
import { commitImport } from "#app/core/import/import.server.ts";
import { enqueueRescore } from "#app/jobs/rescore.server.ts";
import { minorToDecimal } from "#app/core/export/customer-csv.ts";

export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const { store } = await requireAdmin(request, context);
  return { currency: store.currency, maxBytes: IMPORT_MAX_BYTES };
};

type Failure = { ok: false; error: string; detail?: string };
const fail = (error: string, detail?: string): Failure => (detail ? { ok: false, error, detail } : { ok: false, error });

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { store, services } = await requireAdmin(request, context);
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: IMPORT_MAX_BYTES }));
  } catch (e) {
    if (e instanceof MaxPartSizeExceededError) return fail("tooLarge");
    return fail("badUpload", (e as Error).message);
  }
  const file = form.get("file");
  if (!(file instanceof Blob) || file.size === 0) return fail("noFile");
  const csv = readCsv(new TextDecoder("utf-8").decode(await file.arrayBuffer()));
  if (!csv.ok) return fail(csv.reason.split(":")[0]!, csv.reason);
  const { headers, delimiter } = csv.value;
  let mapping: ColumnMapping = detectMapping(headers);
  const mappingText = form.get("mapping");
  if (typeof mappingText === "string" && mappingText) {
    let raw: unknown;
    try {
      raw = JSON.parse(mappingText);
    } catch {
      raw = null;
    }
    const parsed = mappingSchema.safeParse(raw);
    if (!parsed.success || parsed.data.length !== headers.length) {
      return fail("badMapping", parsed.error?.issues.map((i) => `mapping.${i.path.join(".")}: ${i.message}`).join("; ") ?? `mapping: expected ${headers.length} columns`);
    }
    mapping = parsed.data;
  }
  const skipInvalid = form.get("skipInvalid") === "true";
  const plan = planImport(csv.value, mapping, { currency: store.currency, timezone: store.timezone, skipInvalid });
  const summary = {
    headers,
    delimiter,
    mapping,
    skipInvalid,
    rows: plan.rows,
    validRows: plan.validRows,
    customers: plan.customers.length,
    orders: plan.orders.length,
    lines: plan.orders.reduce((a, o) => a + o.lines.length, 0),
    errorCount: plan.errors.length,
    errors: plan.errors.slice(0, 200),
    sampleCustomers: plan.customers.slice(0, 10).map((c) => ({ platformId: c.platformId, name: [c.firstName, c.lastName].filter(Boolean).join(" "), email: c.email, phone: c.phone, taxId: c.taxId, acceptsEmailMarketing: c.acceptsEmailMarketing })),
    sampleOrders: plan.orders.slice(0, 10).map((o) => ({ platformId: o.platformId, customer: o.customerPlatformId, placedAt: o.placedAt.toISOString(), total: minorToDecimal(o.totalMinor, store.currency, "."), lines: o.lines.length, channel: o.channel, paymentMethod: o.paymentMethod })),
  };
  const importable = plan.customers.length > 0 && (plan.errors.length === 0 || skipInvalid);
  if (form.get("intent") !== "import") return { ok: true as const, step: "preview" as const, importable, ...summary, imported: null };
  if (!importable) return fail(plan.errors.length ? "hasErrors" : "nothingToImport");
  const imported = await commitImport(services.db, store, plan);
  await enqueueRescore(services.boss, store.id);
  const { customerIds: _ids, ...counts } = imported;
  return { ok: true as const, step: "imported" as const, importable, ...summary, imported: counts };
};

export default function ImportPage() {
  const { currency, maxBytes } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const fetcher = useFetcher<typeof action>();
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [tooBig, setTooBig] = useState(false);
  const data = fetcher.data;
  const busy = fetcher.state !== "idle";

  const send = (intent: "preview" | "import", overrides: { mapping?: ColumnMapping | null; skipInvalid?: boolean; file?: File } = {}) => {
    const f = overrides.file ?? file;
    if (!f) return;
    const body = new FormData();
    body.set("intent", intent);
    body.set("file", f);
    const m = overrides.mapping !== undefined ? overrides.mapping : mapping;
    if (m) body.set("mapping", JSON.stringify(m));
    body.set("skipInvalid", String(overrides.skipInvalid ?? skipInvalid));
    fetcher.submit(body, { method: "post", encType: "multipart/form-data" });
  };

  const fieldOptions = [{ label: t("exports.import.ignore"), value: "" }, ...IMPORT_FIELDS.map((f) => ({ label: t(`exports.import.fields.${f}`), value: f }))];
  const preview = data && data.ok ? data : null;

  return (
    <Page title={t("exports.import.title")} subtitle={t("exports.import.subtitle", { currency })}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p">{t("exports.import.intro")}</Text>
              <DropZone
                accept=".csv,text/csv,text/plain"
                allowMultiple={false}
                label={t("exports.import.fileLabel")}
                onDrop={(files: File[]) => {
                  const f = files[0];
                  if (!f) return;
                  setTooBig(f.size > maxBytes);
                  if (f.size > maxBytes) return;
                  setFile(f);
                  setMapping(null);
                  send("preview", { file: f, mapping: null });
                }}
              >
                {file ? (
                  <Text as="p" alignment="center">
                    {file.name}
                  </Text>
                ) : (
                  <DropZone.FileUpload actionHint={t("exports.import.fileHint", { mb: Math.round(maxBytes / 1024 / 1024) })} />
                )}
              </DropZone>
              {tooBig ? <Banner tone="critical">{t("exports.import.errors.tooLarge")}</Banner> : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        {data && !data.ok ? (
          <Layout.Section>
            <Banner tone="critical" title={t(`exports.import.errors.${data.error}`, { defaultValue: t("exports.import.errors.badUpload") })}>
              {data.detail ? <Text as="p">{data.detail}</Text> : null}
            </Banner>
          </Layout.Section>
        ) : null}
        {preview ? (
          <>
            {preview.step === "imported" && preview.imported ? (
              <Layout.Section>
                <Banner tone="success" title={t("exports.import.doneTitle")}>
                  <Text as="p" id="import-done">
                    {t("exports.import.done", { created: preview.imported.customersCreated, updated: preview.imported.customersUpdated, orders: preview.imported.ordersCreated + preview.imported.ordersUpdated })}
                  </Text>
                </Banner>
              </Layout.Section>
            ) : null}
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("exports.import.mappingTitle")}
                  </Text>
                  <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
                    {preview.headers.map((h, i) => (
                      <Select
                        key={`${i}-${h}`}
                        label={h || t("exports.import.column", { n: i + 1 })}
                        options={fieldOptions}
                        value={(mapping ?? preview.mapping)[i] ?? ""}
                        onChange={(v) => {
                          const next = [...(mapping ?? preview.mapping)];
                          next[i] = (v || null) as ColumnMapping[number];
                          setMapping(next);
                          send("preview", { mapping: next });
                        }}
                      />
                    ))}
                  </InlineGrid>
                  <Checkbox
                    label={t("exports.import.skipInvalid")}
                    helpText={t("exports.import.skipInvalidHelp")}
                    checked={skipInvalid}
                    onChange={(v) => {
                      setSkipInvalid(v);
                      send("preview", { skipInvalid: v });
                    }}
                  />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("exports.import.previewTitle")}
                  </Text>
                  <Text as="p" id="import-counts">
                    {t("exports.import.counts", { rows: preview.rows, valid: preview.validRows, errors: preview.errorCount, customers: preview.customers, orders: preview.orders, lines: preview.lines })}
                  </Text>
                  {preview.sampleCustomers.length ? (
                    <DataTable
                      columnContentTypes={["text", "text", "text", "text", "text"]}
                      headings={[t("exports.import.colKey"), t("exports.import.colName"), t("exports.import.colEmail"), t("exports.import.colPhone"), t("exports.import.colConsent")]}
                      rows={preview.sampleCustomers.map((c) => [c.platformId, c.name, c.email ?? "", c.phone ?? "", c.acceptsEmailMarketing === null ? "" : c.acceptsEmailMarketing ? t("exports.csv.yes") : t("exports.csv.no")])}
                    />
                  ) : null}
                  {preview.sampleOrders.length ? (
                    <DataTable
                      columnContentTypes={["text", "text", "text", "numeric", "numeric", "text"]}
                      headings={[t("exports.import.colOrder"), t("exports.import.colKey"), t("exports.import.colDate"), t("exports.import.colTotal"), t("exports.import.colLines"), t("exports.import.colPayment")]}
                      rows={preview.sampleOrders.map((o) => [o.platformId, o.customer, o.placedAt.slice(0, 16).replace("T", " "), o.total, o.lines, o.paymentMethod])}
                    />
                  ) : null}
                  {preview.errorCount ? (
                    <Banner tone="warning" title={t("exports.import.errorsTitle", { count: preview.errorCount })}>
                      <List type="bullet">
                        {preview.errors.map((e, i) => (
                          <List.Item key={i}>
                            {t("exports.import.rowError", {
                              line: e.line,
                              field: e.field ? t(`exports.import.fields.${e.field}`) : "—",
                              value: e.value,
                              reason: t(`exports.import.reasons.${e.reason}`, { defaultValue: e.reason }),
                            })}
                          </List.Item>
                        ))}
                      </List>
                    </Banner>
                  ) : null}
                  <InlineStack gap="200">
                    <Button variant="primary" disabled={!preview.importable || busy || preview.step === "imported"} loading={busy && fetcher.formData?.get("intent") === "import"} onClick={() => send("import")}>
                      {t("exports.import.importButton", { count: preview.customers })}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        ) : null}
      </Layout>
    </Page>
  );
}

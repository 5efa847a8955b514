// The segment rule editor: nested AND/OR groups (each can be negated) of conditions, with an input
// fitting each field (lists, numbers, money in the store's currency, dates or "last N days",
// choices, a product search, segment names). It edits the filter JSON as is; the server validates
// it (preview and save) and the paths of problems come back to highlight the conditions.
import { useEffect, useMemo, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Autocomplete, BlockStack, Box, Button, Checkbox, ChoiceList, InlineError, InlineStack, Select, Tag, Text, TextField } from "@shopify/polaris";
import { useTranslation } from "react-i18next";
import { currencyDigits } from "#app/core/money.ts";
import { FIELD_EDITOR, FIELD_GROUPS, defaultCondition, operatorsFor, setOptions, toMajor, toMinor } from "#app/core/segments/fields.ts";
import type { ConditionField } from "#app/core/segments/filter.ts";

export type DraftNode = { type: "group"; op: "and" | "or"; not?: boolean; children: DraftNode[] } | ({ type: "condition"; field: ConditionField } & Record<string, unknown>);
export type DraftGroup = Extract<DraftNode, { type: "group" }>;
type DraftCondition = Extract<DraftNode, { type: "condition" }>;

export interface BuilderContext {
  readOnly: boolean;
  currency: string;
  /** Titles of known products by platform id (those in the filter, and search results). */
  productTitles: Record<string, string>;
  segments: { id: number; name: string }[];
  clusters: number;
  /** Paths of problems reported by the server ("children.0.values"). */
  issuePaths: string[];
}

export function SegmentBuilder({ value, onChange, context }: { value: DraftGroup; onChange: (next: DraftGroup) => void; context: BuilderContext }) {
  return <GroupEditor node={value} path="" depth={1} onChange={(n) => onChange(n as DraftGroup)} context={context} />;
}

function childPath(path: string, i: number) {
  return path ? `${path}.children.${i}` : `children.${i}`;
}

function GroupEditor({ node, path, depth, onChange, onRemove, context }: { node: DraftGroup; path: string; depth: number; onChange: (n: DraftNode) => void; onRemove?: () => void; context: BuilderContext }) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState("");
  const fieldOptions = useMemo(
    () => [
      { label: t("segments.builder.chooseField"), value: "" },
      ...FIELD_GROUPS.map((g) => ({ title: t(`segments.groups.${g.key}`), options: g.fields.map((f) => ({ label: t(`segments.fields.${f}`), value: f })) })),
    ],
    [t],
  );
  const setChild = (i: number, child: DraftNode) => onChange({ ...node, children: node.children.map((c, j) => (j === i ? child : c)) });
  const removeChild = (i: number) => onChange({ ...node, children: node.children.filter((_, j) => j !== i) });
  const groupLabel = t("segments.builder.match");
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200" background={depth % 2 ? "bg-surface" : "bg-surface-secondary"}>
      <BlockStack gap="300">
        <InlineStack gap="300" blockAlign="center" wrap>
          <Text as="span" variant="bodyMd">{groupLabel}</Text>
          <div style={{ minWidth: 160 }}>
            <Select
              label={groupLabel}
              labelHidden
              disabled={context.readOnly}
              options={[{ label: t("segments.builder.all"), value: "and" }, { label: t("segments.builder.any"), value: "or" }]}
              value={node.op}
              onChange={(op) => onChange({ ...node, op: op as "and" | "or" })}
            />
          </div>
          <Checkbox label={t("segments.builder.negate")} checked={!!node.not} disabled={context.readOnly} onChange={(not) => onChange({ ...node, not: not || undefined })} />
          {onRemove && !context.readOnly ? <Button variant="plain" tone="critical" onClick={onRemove}>{t("segments.builder.removeGroup")}</Button> : null}
        </InlineStack>
        {node.children.length === 0 ? <Text as="p" tone="subdued">{t("segments.builder.emptyGroup")}</Text> : null}
        {node.children.map((child, i) =>
          child.type === "group" ? (
            <GroupEditor key={i} node={child} path={childPath(path, i)} depth={depth + 1} onChange={(c) => setChild(i, c)} onRemove={() => removeChild(i)} context={context} />
          ) : (
            <ConditionEditor key={i} node={child} path={childPath(path, i)} onChange={(c) => setChild(i, c)} onRemove={() => removeChild(i)} context={context} />
          ),
        )}
        {context.readOnly ? null : (
          <InlineStack gap="200" blockAlign="end" wrap>
            <div style={{ minWidth: 240 }}>
              <Select label={t("segments.builder.addCondition")} options={fieldOptions} value={adding} onChange={setAdding} />
            </div>
            <Button
              disabled={!adding}
              onClick={() => {
                onChange({ ...node, children: [...node.children, defaultCondition(adding as ConditionField) as unknown as DraftNode] });
                setAdding("");
              }}
            >
              {t("segments.builder.addCondition")}
            </Button>
            {depth < 5 ? <Button onClick={() => onChange({ ...node, children: [...node.children, { type: "group", op: "or", children: [] }] })}>{t("segments.builder.addGroup")}</Button> : null}
          </InlineStack>
        )}
      </BlockStack>
    </Box>
  );
}

const splitList = (s: string) => s.split(",").map((v) => v.trim()).filter(Boolean);
const numberOrUndefined = (s: string) => (s.trim() === "" || Number.isNaN(Number(s)) ? undefined : Number(s));

function ConditionEditor({ node, path, onChange, onRemove, context }: { node: DraftCondition; path: string; onChange: (n: DraftNode) => void; onRemove: () => void; context: BuilderContext }) {
  const { t } = useTranslation();
  const field = node.field;
  const editor = FIELD_EDITOR[field];
  const ops = operatorsFor(field);
  const invalid = context.issuePaths.some((p) => p === path || p.startsWith(`${path}.`));
  const label = t(`segments.fields.${field}`);
  const set = (patch: Record<string, unknown>) => onChange({ ...node, ...patch } as DraftNode);
  const ro = context.readOnly;
  const op = String(node.op ?? "");

  return (
    <Box padding="200" borderWidth="025" borderColor={invalid ? "border-critical" : "border-secondary"} borderRadius="200">
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center" wrap>
          <Text as="span" variant="bodyMd" fontWeight="semibold">{label}</Text>
          {ops.length ? (
            <div style={{ minWidth: 180 }}>
              <Select label={label} labelHidden disabled={ro} options={ops.map((o) => ({ label: t(`segments.ops.${o}`), value: o }))} value={op} onChange={(o) => set({ op: o })} />
            </div>
          ) : null}
          <ValueEditor node={node} editor={editor} op={op} set={set} context={context} />
          {ro ? null : <Button variant="plain" tone="critical" onClick={onRemove} accessibilityLabel={`${t("segments.builder.remove")}: ${label}`}>{t("segments.builder.remove")}</Button>}
        </InlineStack>
        {invalid ? <InlineError message={t("segments.builder.invalidCondition")} fieldID={path} /> : null}
      </BlockStack>
    </Box>
  );
}

function ValueEditor({ node, editor, op, set, context }: { node: DraftCondition; editor: string; op: string; set: (p: Record<string, unknown>) => void; context: BuilderContext }) {
  const { t } = useTranslation();
  const ro = context.readOnly;
  const label = t(`segments.fields.${node.field}`);
  const values = (node.values as unknown[] | undefined) ?? [];
  const days = (key: string, labelText: string, optional = false) => (
    <div style={{ width: 150 }}>
      <TextField
        label={labelText}
        labelHidden={!optional}
        type="number"
        min={1}
        disabled={ro}
        autoComplete="off"
        suffix={t("segments.builder.days")}
        value={node[key] === undefined ? "" : String(node[key])}
        onChange={(v) => set({ [key]: numberOrUndefined(v) })}
      />
    </div>
  );
  const listField = (key: string) => (
    <div style={{ minWidth: 260 }}>
      <TextField
        label={label}
        labelHidden
        disabled={ro}
        autoComplete="off"
        helpText={t("segments.builder.valuesHelp")}
        value={((node[key] as string[] | undefined) ?? []).join(", ")}
        onChange={(v) => set({ [key]: splitList(v) })}
      />
    </div>
  );

  const recent = days("inLastDays", t("segments.inLastDays"), true);
  const withRecent = (el: React.ReactNode) => (
    <>
      {el}
      {recent}
    </>
  );
  const choices = (options: { label: string; value: string }[], selected: string[], onSelect: (sel: string[]) => void) => (
    <ChoiceList title={label} titleHidden allowMultiple disabled={ro} choices={options} selected={selected} onChange={onSelect} />
  );

  switch (editor) {
    case "text":
    case "tags":
      if (op === "is_set" || op === "is_not_set") return null;
      return listField("values");
    case "orderText":
      return withRecent(listField("values"));
    case "count":
    case "money":
    case "probability":
    case "score":
    case "age": {
      if (op === "is_set" || op === "is_not_set") return null;
      const digits = currencyDigits(context.currency);
      const show = (n: unknown) => (typeof n !== "number" ? "" : editor === "money" ? String(toMajor(n, digits)) : editor === "probability" ? String(Math.round(n * 1000) / 10) : String(n));
      const parse = (s: string) => {
        const n = numberOrUndefined(s);
        if (n === undefined) return undefined;
        return editor === "money" ? toMinor(n, digits) : editor === "probability" ? n / 100 : n;
      };
      const input = (key: "value" | "value2") => (
        <div style={{ width: 150 }}>
          <TextField
            label={`${label} ${key === "value2" ? t("segments.builder.to") : ""}`}
            labelHidden
            type="number"
            disabled={ro}
            autoComplete="off"
            prefix={editor === "money" ? context.currency : undefined}
            suffix={editor === "probability" ? t("segments.builder.percent") : undefined}
            value={show(node[key])}
            onChange={(v) => set({ [key]: parse(v) })}
          />
        </div>
      );
      return (
        <>
          {input("value")}
          {op === "between" ? input("value2") : null}
        </>
      );
    }
    case "date":
      if (op === "in_last_days" || op === "more_than_days_ago") return days("days", label);
      if (op === "is_set" || op === "is_not_set") return null;
      return (
        <>
          <TextField label={label} labelHidden type="date" disabled={ro} autoComplete="off" value={String(node.date ?? "")} onChange={(v) => set({ date: v || undefined })} />
          {op === "between" ? <TextField label={`${label} ${t("segments.builder.to")}`} labelHidden type="date" disabled={ro} autoComplete="off" value={String(node.date2 ?? "")} onChange={(v) => set({ date2: v || undefined })} /> : null}
        </>
      );
    case "set": {
      const options = setOptions(node.field, context.clusters).map((o) => ({ label: o.n ? t(o.labelKey, { n: o.n }) : t(o.labelKey), value: String(o.value) }));
      const numeric = node.field === "cluster" || node.field === "birthdayMonth";
      const list = choices(options, values.map(String), (sel) => set({ values: numeric ? sel.map(Number) : sel }));
      return node.field === "paymentMethod" ? withRecent(list) : list;
    }
    case "products":
      return withRecent(<ProductPicker selected={(node.productIds as string[] | undefined) ?? []} onChange={(productIds) => set({ productIds })} context={context} label={label} />);
    case "categories":
      return withRecent(listField("categories"));
    case "recent":
      return recent;
    case "methods":
      return choices(
        [{ label: t("segments.paymentMethods.boleto"), value: "boleto" }, { label: t("segments.paymentMethods.pix"), value: "pix" }],
        (node.methods as string[] | undefined) ?? [],
        (methods) => set({ methods }),
      );
    case "segments":
      return context.segments.length ? (
        choices(
          context.segments.map((s) => ({ label: s.name, value: String(s.id) })),
          ((node.segmentIds as number[] | undefined) ?? []).map(String),
          (sel) => set({ segmentIds: sel.map(Number) }),
        )
      ) : (
        <Text as="span" tone="subdued">{t("segments.builder.segmentsNone")}</Text>
      );
    case "boolean":
      return (
        <div style={{ minWidth: 100 }}>
          <Select label={label} labelHidden disabled={ro} options={[{ label: t("segments.yes"), value: "true" }, { label: t("segments.no"), value: "false" }]} value={String(node.value ?? true)} onChange={(v) => set({ value: v === "true" })} />
        </div>
      );
    default:
      return null;
  }
}

interface ProductHit {
  platformId: string;
  title: string;
}

function ProductPicker({ selected, onChange, context, label }: { selected: string[]; onChange: (ids: string[]) => void; context: BuilderContext; label: string }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<{ products: ProductHit[] }>();
  const [query, setQuery] = useState("");
  const [titles, setTitles] = useState<Record<string, string>>(context.productTitles);
  useEffect(() => {
    if (context.readOnly) return;
    const id = setTimeout(() => fetcher.load(`/app/segments/preview?products=${encodeURIComponent(query)}`), 250);
    return () => clearTimeout(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- fetcher identity changes every render
  }, [query, context.readOnly]);
  const data = fetcher.data;
  const hits = data?.products ?? [];
  useEffect(() => {
    const found = data?.products ?? [];
    if (found.length) setTitles((prev) => ({ ...prev, ...Object.fromEntries(found.map((h) => [h.platformId, h.title])) }));
  }, [data]);
  const options = hits.map((h) => ({ value: h.platformId, label: h.title }));
  return (
    <BlockStack gap="100">
      {context.readOnly ? null : (
        <div style={{ minWidth: 280 }}>
          <Autocomplete
            allowMultiple
            options={options}
            selected={selected}
            onSelect={onChange}
            loading={fetcher.state === "loading"}
            emptyState={<Text as="span">{t("segments.builder.noProducts")}</Text>}
            textField={<Autocomplete.TextField label={label} labelHidden autoComplete="off" placeholder={t("segments.builder.productsSearch")} value={query} onChange={setQuery} />}
          />
        </div>
      )}
      <InlineStack gap="100" wrap>
        {selected.map((id) => (
          <Tag key={id} onRemove={context.readOnly ? undefined : () => onChange(selected.filter((s) => s !== id))}>
            {titles[id] ?? id}
          </Tag>
        ))}
      </InlineStack>
    </BlockStack>
  );
}

export interface PreviewResult {
  ok: boolean;
  count?: number;
  sample?: { id: number; firstName: string | null; lastName: string | null; email: string | null; city: string | null; ordersCount: number; revenueMinor: string }[];
  issues?: { path: string; message: string }[];
}

/** Live count and sample for a draft filter, debounced (400 ms after the last edit). */
export function useSegmentPreview(filter: DraftGroup, enabled = true) {
  const fetcher = useFetcher<PreviewResult>();
  const json = JSON.stringify(filter);
  useEffect(() => {
    if (!enabled) return;
    const id = setTimeout(() => fetcher.submit(JSON.stringify({ filter: JSON.parse(json) as unknown }), { method: "post", encType: "application/json", action: "/app/segments/preview" }), 400);
    return () => clearTimeout(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- fetcher identity changes every render
  }, [json, enabled]);
  return { data: fetcher.data, loading: fetcher.state !== "idle" };
}

export function PreviewPanel({ preview, currency }: { preview: { data?: PreviewResult; loading: boolean }; currency: string }) {
  const { t, i18n } = useTranslation();
  const { data, loading } = preview;
  const money = (minor: string) => {
    const digits = currencyDigits(currency);
    return new Intl.NumberFormat(i18n.language, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(BigInt(minor)) / 10 ** digits);
  };
  return (
    <BlockStack gap="200">
      <Text as="h2" variant="headingMd">{t("segments.preview.title")}</Text>
      <div aria-live="polite">
        {loading && !data ? (
          <Text as="p" tone="subdued">{t("segments.preview.counting")}</Text>
        ) : data?.ok ? (
          <Text as="p" variant="headingLg">{t("segments.preview.count", { count: data.count ?? 0 })}</Text>
        ) : data?.issues ? (
          <Text as="p" tone="critical">{t("segments.preview.invalid", { count: data.issues.length })}</Text>
        ) : data ? (
          <Text as="p" tone="critical">{t("segments.preview.error")}</Text>
        ) : (
          <Text as="p" tone="subdued">{t("segments.preview.counting")}</Text>
        )}
      </div>
      {data?.ok && data.sample ? (
        data.sample.length ? (
          <BlockStack gap="100">
            {data.sample.map((c) => (
              <InlineStack key={c.id} align="space-between" gap="200" wrap={false}>
                <Text as="span" truncate>{[c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || `#${c.id}`}</Text>
                <Text as="span" tone="subdued">{t("segments.preview.orders", { count: c.ordersCount })} · {money(c.revenueMinor)}</Text>
              </InlineStack>
            ))}
          </BlockStack>
        ) : (
          <Text as="p" tone="subdued">{t("segments.preview.sampleEmpty")}</Text>
        )
      ) : null}
    </BlockStack>
  );
}

export interface SaveResult {
  ok: boolean;
  error?: string | null;
  issues?: { path: string; message: string }[];
}

/** Name, push-tags toggle, rule and live preview, with a save button: the new and edit pages' form. */
export function SegmentForm({
  initial,
  builder,
  readOnly,
  tagName,
  onSubmitLabel,
}: {
  initial: { name: string; filter: DraftGroup; pushTags: boolean };
  builder: Omit<BuilderContext, "readOnly" | "issuePaths">;
  readOnly: boolean;
  tagName: string | null;
  onSubmitLabel?: string;
}) {
  const { t } = useTranslation();
  const save = useFetcher<SaveResult>();
  const [name, setName] = useState(initial.name);
  const [filter, setFilter] = useState<DraftGroup>(initial.filter);
  const [pushTags, setPushTags] = useState(initial.pushTags);
  const preview = useSegmentPreview(filter);
  const saveIssues = save.data && !save.data.ok ? (save.data.issues ?? []) : [];
  const issuePaths = [
    ...(preview.data?.issues ?? []).map((i) => i.path),
    ...saveIssues.filter((i) => i.path.startsWith("filter")).map((i) => i.path.replace(/^filter\.?/, "")),
  ];
  const nameError = saveIssues.some((i) => i.path === "name") ? t("segments.errors.nameRequired") : undefined;
  const submit = () => save.submit(JSON.stringify({ intent: "save", name, filter, pushTags }), { method: "post", encType: "application/json" });
  const context: BuilderContext = { ...builder, readOnly, issuePaths };
  return (
    <BlockStack gap="400">
      {save.data && !save.data.ok && save.data.error ? <InlineError message={t(`segments.errors.${save.data.error}`)} fieldID="segment-name" /> : null}
      <InlineStack gap="400" align="start" blockAlign="start" wrap>
        <div style={{ flex: "2 1 520px", minWidth: 0 }}>
          <BlockStack gap="400">
            <TextField id="segment-name" label={t("segments.name")} value={name} onChange={setName} autoComplete="off" disabled={readOnly} error={nameError} maxLength={100} />
            {readOnly ? null : (
              <Checkbox
                label={t("segments.detail.pushTags")}
                helpText={tagName ? t("segments.detail.pushTagsHelp", { tag: tagName }) : undefined}
                checked={pushTags}
                onChange={setPushTags}
              />
            )}
            <SegmentBuilder value={filter} onChange={setFilter} context={context} />
            {readOnly ? null : (
              <InlineStack>
                <Button variant="primary" onClick={submit} loading={save.state !== "idle"}>
                  {onSubmitLabel ?? t("segments.builder.save")}
                </Button>
              </InlineStack>
            )}
          </BlockStack>
        </div>
        <div style={{ flex: "1 1 260px", minWidth: 0 }}>
          <Box padding="400" borderWidth="025" borderColor="border" borderRadius="200" background="bg-surface">
            <PreviewPanel preview={preview} currency={builder.currency} />
          </Box>
        </div>
      </InlineStack>
    </BlockStack>
  );
}

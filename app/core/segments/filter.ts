// The segment filter: a typed AST stored as JSON in Segment.filter (and FlowStep.condition).
// A node is a group { type: "group", op: "and" | "or", not?, children } or a condition
// { type: "condition", field, … } whose shape depends on its field. Everything a merchant can type
// is validated here (zod, with the path of the first bad value) before compile.server.ts turns it
// into one parameterised SQL predicate; nothing unvalidated ever reaches SQL.
import { z } from "zod";
import { RFM_SEGMENTS, CHURN_BANDS } from "#app/core/analytics/segments.ts";

/** Limits: a filter the builder can show and PostgreSQL can plan quickly. */
export const FILTER_LIMITS = {
  /** Nesting of groups: root = depth 1. */
  maxDepth: 5,
  /** Conditions in the whole tree. */
  maxConditions: 50,
  /** Children of one group. */
  maxChildren: 30,
  /** Values in one list (product ids, cities, tags…). */
  maxValues: 200,
  /** Characters in one text value. */
  maxValueLength: 200,
  /** "In the last N days" / "more than N days ago". */
  maxDays: 36_500,
} as const;

const text = z.string().trim().min(1, "must not be empty").max(FILTER_LIMITS.maxValueLength);
const textList = z.array(text).min(1, "needs at least one value").max(FILTER_LIMITS.maxValues);
const days = z.number().int().min(1).max(FILTER_LIMITS.maxDays);
const isoDate = z.iso.date();

// ---- Text fields ----------------------------------------------------------------------------

/** Customer columns compared as text, without regard to case. */
export const CUSTOMER_TEXT_FIELDS = ["city", "province", "country", "gender", "email", "zip"] as const;
/** Order attribution columns: matches when any of the customer's orders has it. */
export const ORDER_TEXT_FIELDS = ["utmSource", "utmMedium", "utmCampaign", "landingSite", "referringSite"] as const;

export const TEXT_OPS = ["in", "not_in", "contains", "starts_with", "is_set", "is_not_set"] as const;
export const ORDER_TEXT_OPS = ["in", "contains", "starts_with"] as const;

const customerText = z.strictObject({
  type: z.literal("condition"),
  field: z.enum(CUSTOMER_TEXT_FIELDS),
  op: z.enum(TEXT_OPS),
  values: textList.optional(),
}).superRefine((c, ctx) => {
  if (c.op !== "is_set" && c.op !== "is_not_set" && !c.values) ctx.addIssue({ code: "custom", path: ["values"], message: `values are required for "${c.op}"` });
});
const orderText = z.strictObject({
  type: z.literal("condition"),
  field: z.enum(ORDER_TEXT_FIELDS),
  op: z.enum(ORDER_TEXT_OPS),
  values: textList,
  inLastDays: days.optional(),
});

// ---- Numbers --------------------------------------------------------------------------------

export const NUMBER_OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "between", "is_set", "is_not_set"] as const;
export type NumberOp = (typeof NUMBER_OPS)[number];

/** Numeric fields and the values each accepts. Money is integer minor units of the store's currency. */
export const NUMBER_FIELDS = {
  ordersCount: z.number().int().min(0).max(10_000_000),
  totalSpent: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  avgTicket: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  predictedClv: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  pAlive: z.number().min(0).max(1),
  churnRisk: z.number().min(0).max(1),
  rScore: z.number().int().min(1).max(5),
  fScore: z.number().int().min(1).max(5),
  mScore: z.number().int().min(1).max(5),
  /** Age in whole years (from Customer.birthDate, in the store's calendar). */
  age: z.number().int().min(0).max(130),
} as const;
export type NumberField = keyof typeof NUMBER_FIELDS;

function numberCondition<F extends NumberField>(field: F) {
  const value = NUMBER_FIELDS[field];
  return z
    .strictObject({ type: z.literal("condition"), field: z.literal(field), op: z.enum(NUMBER_OPS), value: value.optional(), value2: value.optional() })
    .superRefine((c, ctx) => {
      if (c.op === "is_set" || c.op === "is_not_set") return;
      if (c.value === undefined) ctx.addIssue({ code: "custom", path: ["value"], message: `a number is required for "${c.op}"` });
      if (c.op === "between") {
        if (c.value2 === undefined) ctx.addIssue({ code: "custom", path: ["value2"], message: 'the upper bound is required for "between"' });
        else if (c.value !== undefined && c.value2 < c.value) ctx.addIssue({ code: "custom", path: ["value2"], message: "the upper bound must not be below the lower bound" });
      }
    });
}

// ---- Dates ----------------------------------------------------------------------------------

export const DATE_FIELDS = ["firstOrderAt", "lastOrderAt", "customerSince"] as const;
export const DATE_OPS = ["before", "from", "between", "in_last_days", "more_than_days_ago", "is_set", "is_not_set"] as const;
export type DateOp = (typeof DATE_OPS)[number];

const dateCondition = z
  .strictObject({
    type: z.literal("condition"),
    field: z.enum(DATE_FIELDS),
    op: z.enum(DATE_OPS),
    /** Store-local calendar day, YYYY-MM-DD ("before" = earlier than that day; "from" = that day or later). */
    date: isoDate.optional(),
    /** Last day of "between" (inclusive). */
    date2: isoDate.optional(),
    days: days.optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.op === "before" || c.op === "from" || c.op === "between") && !c.date) ctx.addIssue({ code: "custom", path: ["date"], message: `a date is required for "${c.op}"` });
    if (c.op === "between") {
      if (!c.date2) ctx.addIssue({ code: "custom", path: ["date2"], message: 'the last day is required for "between"' });
      else if (c.date && c.date2 < c.date) ctx.addIssue({ code: "custom", path: ["date2"], message: "the last day must not be before the first" });
    }
    if ((c.op === "in_last_days" || c.op === "more_than_days_ago") && c.days === undefined) ctx.addIssue({ code: "custom", path: ["days"], message: `a number of days is required for "${c.op}"` });
  });

// ---- Categorical ----------------------------------------------------------------------------

const SET_OPS = ["in", "not_in"] as const;
const setOf = <T extends z.ZodType>(value: T) => z.array(value).min(1, "needs at least one value").max(FILTER_LIMITS.maxValues);

export const PAYMENT_METHODS = ["card", "boleto", "pix", "other"] as const;
export const SALES_CHANNELS = ["web", "pos", "draft", "marketplace", "other"] as const;

const rfmSegmentCondition = z.strictObject({ type: z.literal("condition"), field: z.literal("rfmSegment"), op: z.enum(SET_OPS), values: setOf(z.enum(RFM_SEGMENTS)) });
const churnBandCondition = z.strictObject({ type: z.literal("condition"), field: z.literal("churnBand"), op: z.enum(SET_OPS), values: setOf(z.enum(CHURN_BANDS)) });
const clusterCondition = z.strictObject({ type: z.literal("condition"), field: z.literal("cluster"), op: z.enum(SET_OPS), values: setOf(z.number().int().min(0).max(99)) });
const shopifyRfmCondition = z.strictObject({ type: z.literal("condition"), field: z.literal("shopifyRfmGroup"), op: z.enum(SET_OPS), values: setOf(z.string().trim().min(1).max(64)) });
const birthdayMonthCondition = z.strictObject({ type: z.literal("condition"), field: z.literal("birthdayMonth"), op: z.enum(SET_OPS), values: setOf(z.number().int().min(1).max(12)) });
const paymentMethodCondition = z.strictObject({ type: z.literal("condition"), field: z.literal("paymentMethod"), values: setOf(z.enum(PAYMENT_METHODS)), inLastDays: days.optional() });
const salesChannelCondition = z.strictObject({ type: z.literal("condition"), field: z.literal("salesChannel"), values: setOf(z.enum(SALES_CHANNELS)) });

// ---- Products and actions -------------------------------------------------------------------

/** Platform product ids (Product.platformId, as on order lines and storefront events). */
const productIds = setOf(z.string().trim().min(1).max(128));

const boughtProduct = z.strictObject({ type: z.literal("condition"), field: z.literal("boughtProduct"), productIds, inLastDays: days.optional() });
const boughtCategory = z.strictObject({ type: z.literal("condition"), field: z.literal("boughtCategory"), categories: textList, inLastDays: days.optional() });
const viewedProduct = z.strictObject({ type: z.literal("condition"), field: z.literal("viewedProduct"), productIds, inLastDays: days.optional() });
const abandonedCheckout = z.strictObject({ type: z.literal("condition"), field: z.literal("abandonedCheckout"), inLastDays: days.optional() });
const unpaidPayment = z.strictObject({ type: z.literal("condition"), field: z.literal("unpaidPayment"), methods: setOf(z.enum(["boleto", "pix"])).optional() });
const messageOpened = z.strictObject({ type: z.literal("condition"), field: z.literal("messageOpened"), inLastDays: days.optional() });
const messageClicked = z.strictObject({ type: z.literal("condition"), field: z.literal("messageClicked"), inLastDays: days.optional() });
const unsubscribed = z.strictObject({ type: z.literal("condition"), field: z.literal("unsubscribed") });
const inSegment = z.strictObject({ type: z.literal("condition"), field: z.literal("inSegment"), segmentIds: z.array(z.number().int().positive()).min(1).max(50) });

// ---- Tags and consent -----------------------------------------------------------------------

export const TAG_OPS = ["any", "all", "none"] as const;
const tagsCondition = z.strictObject({ type: z.literal("condition"), field: z.literal("tags"), op: z.enum(TAG_OPS), values: setOf(z.string().trim().min(1).max(255)).max(50) });
const consentCondition = z.strictObject({ type: z.literal("condition"), field: z.enum(["emailConsent", "smsConsent"]), value: z.boolean() });

// ---- The tree -------------------------------------------------------------------------------

export const conditionSchema = z.discriminatedUnion("field", [
  customerText,
  orderText,
  numberCondition("ordersCount"),
  numberCondition("totalSpent"),
  numberCondition("avgTicket"),
  numberCondition("predictedClv"),
  numberCondition("pAlive"),
  numberCondition("churnRisk"),
  numberCondition("rScore"),
  numberCondition("fScore"),
  numberCondition("mScore"),
  numberCondition("age"),
  dateCondition,
  rfmSegmentCondition,
  churnBandCondition,
  clusterCondition,
  shopifyRfmCondition,
  birthdayMonthCondition,
  paymentMethodCondition,
  salesChannelCondition,
  boughtProduct,
  boughtCategory,
  viewedProduct,
  abandonedCheckout,
  unpaidPayment,
  messageOpened,
  messageClicked,
  unsubscribed,
  inSegment,
  tagsCondition,
  consentCondition,
]);

export type Condition = z.infer<typeof conditionSchema>;
export type ConditionField = Condition["field"];

export interface Group {
  type: "group";
  op: "and" | "or";
  not?: boolean | undefined;
  children: FilterNode[];
}
export type FilterNode = Group | Condition;
/** A whole filter is a group (an empty AND group matches every customer). */
export type SegmentFilter = Group;

const groupSchema: z.ZodType<Group> = z.lazy(() =>
  z.strictObject({
    type: z.literal("group"),
    op: z.enum(["and", "or"]),
    not: z.boolean().optional(),
    children: z.array(nodeSchema).max(FILTER_LIMITS.maxChildren),
  }),
);

/** A node: picked by its `type` first, so an error points into the right shape. */
const nodeSchema: z.ZodType<FilterNode> = z.lazy(() =>
  z.unknown().transform((value, ctx): FilterNode => {
    const kind = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
    const schema = kind === "group" ? groupSchema : kind === "condition" ? conditionSchema : null;
    if (!schema) {
      ctx.addIssue({ code: "custom", path: ["type"], message: 'must be "group" or "condition"' });
      return z.NEVER;
    }
    const r = (schema as z.ZodType<FilterNode>).safeParse(value);
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.addIssue({ ...issue, code: "custom", message: issue.message, path: issue.path } as never);
    return z.NEVER;
  }),
);

function checkLimits(root: Group, ctx: z.RefinementCtx): void {
  let conditions = 0;
  const walk = (node: FilterNode, path: (string | number)[], depth: number) => {
    if (node.type === "condition") {
      conditions++;
      if (conditions === FILTER_LIMITS.maxConditions + 1) ctx.addIssue({ code: "custom", path, message: `a filter can have at most ${FILTER_LIMITS.maxConditions} conditions` });
      return;
    }
    if (depth > FILTER_LIMITS.maxDepth) {
      ctx.addIssue({ code: "custom", path, message: `groups can be nested at most ${FILTER_LIMITS.maxDepth} deep` });
      return;
    }
    node.children.forEach((child, i) => walk(child, [...path, "children", i], depth + 1));
  };
  walk(root, [], 1);
}

export const segmentFilterSchema: z.ZodType<SegmentFilter> = z
  .unknown()
  .transform((value, ctx): SegmentFilter => {
    if (typeof value !== "object" || value === null || (value as { type?: unknown }).type !== "group") {
      ctx.addIssue({ code: "custom", path: ["type"], message: 'the filter must be a group ({ "type": "group", … })' });
      return z.NEVER;
    }
    const r = groupSchema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue, code: "custom", message: issue.message, path: issue.path } as never);
      return z.NEVER;
    }
    checkLimits(r.data, ctx);
    return r.data;
  });

export class SegmentFilterError extends Error {
  override name = "SegmentFilterError";
  constructor(readonly issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path || "filter"}: ${i.message}`).join("; "));
  }
}

/** "children.0.values.2" — the path format errors are reported in. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

export function safeParseSegmentFilter(value: unknown): { ok: true; filter: SegmentFilter } | { ok: false; issues: { path: string; message: string }[] } {
  const r = segmentFilterSchema.safeParse(value);
  if (r.success) return { ok: true, filter: r.data };
  return { ok: false, issues: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

/** Validates a stored or submitted filter; throws SegmentFilterError with paths. */
export function parseSegmentFilter(value: unknown): SegmentFilter {
  const r = safeParseSegmentFilter(value);
  if (!r.ok) throw new SegmentFilterError(r.issues);
  return r.filter;
}

/** The filter that matches every (non-erased) customer. */
export const MATCH_ALL: SegmentFilter = { type: "group", op: "and", children: [] };

/** Every condition of a tree, depth first (for the UI and for dependency checks like inSegment). */
export function conditionsOf(node: FilterNode): Condition[] {
  return node.type === "condition" ? [node] : node.children.flatMap(conditionsOf);
}

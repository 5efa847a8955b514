// What the builder shows for each condition field: its group, the editor it needs, its operators
// and a starting value. Pure data shared by the pages (labels come from i18n: segments.fields.*).
import { CHURN_BANDS, RFM_SEGMENTS } from "#app/core/analytics/segments.ts";
import { DATE_OPS, NUMBER_OPS, ORDER_TEXT_OPS, PAYMENT_METHODS, SALES_CHANNELS, TAG_OPS, TEXT_OPS, type Condition, type ConditionField } from "./filter.ts";

export type FieldEditor =
  | "text"
  | "orderText"
  | "count"
  | "money"
  | "probability"
  | "score"
  | "age"
  | "date"
  | "set"
  | "products"
  | "categories"
  | "recent"
  | "methods"
  | "segments"
  | "tags"
  | "boolean"
  | "none";

export const FIELD_GROUPS: { key: string; fields: ConditionField[] }[] = [
  { key: "demographics", fields: ["city", "province", "country", "gender", "age", "birthdayMonth", "email", "zip", "customerSince"] },
  { key: "behaviour", fields: ["ordersCount", "totalSpent", "avgTicket", "firstOrderAt", "lastOrderAt", "paymentMethod", "salesChannel"] },
  { key: "scores", fields: ["rfmSegment", "rScore", "fScore", "mScore", "cluster", "churnBand", "churnRisk", "predictedClv", "pAlive", "shopifyRfmGroup"] },
  { key: "products", fields: ["boughtProduct", "boughtCategory", "viewedProduct"] },
  { key: "actions", fields: ["abandonedCheckout", "unpaidPayment", "messageOpened", "messageClicked", "unsubscribed", "utmSource", "utmMedium", "utmCampaign", "landingSite", "referringSite"] },
  { key: "tagsConsent", fields: ["tags", "inSegment", "emailConsent", "smsConsent"] },
];

export const FIELD_EDITOR: Record<ConditionField, FieldEditor> = {
  city: "text", province: "text", country: "text", gender: "text", email: "text", zip: "text",
  utmSource: "orderText", utmMedium: "orderText", utmCampaign: "orderText", landingSite: "orderText", referringSite: "orderText",
  ordersCount: "count", totalSpent: "money", avgTicket: "money", predictedClv: "money",
  pAlive: "probability", churnRisk: "probability", rScore: "score", fScore: "score", mScore: "score", age: "age",
  firstOrderAt: "date", lastOrderAt: "date", customerSince: "date",
  rfmSegment: "set", churnBand: "set", cluster: "set", shopifyRfmGroup: "text", birthdayMonth: "set", paymentMethod: "set", salesChannel: "set",
  boughtProduct: "products", viewedProduct: "products", boughtCategory: "categories",
  abandonedCheckout: "recent", messageOpened: "recent", messageClicked: "recent", unpaidPayment: "methods",
  unsubscribed: "none", inSegment: "segments", tags: "tags", emailConsent: "boolean", smsConsent: "boolean",
};

/** Operators offered per editor. */
export function operatorsFor(field: ConditionField): readonly string[] {
  const editor = FIELD_EDITOR[field];
  if (field === "shopifyRfmGroup") return ["in", "not_in"];
  if (editor === "text") return TEXT_OPS;
  if (editor === "orderText") return ORDER_TEXT_OPS;
  if (["count", "money", "probability", "score", "age"].includes(editor)) return NUMBER_OPS;
  if (editor === "date") return DATE_OPS;
  if (editor === "tags") return TAG_OPS;
  if (editor === "set" && field !== "paymentMethod" && field !== "salesChannel") return ["in", "not_in"];
  return [];
}

/** The options of a set field, as [value, i18n key]. Clusters are numbered 0… (shown from 1). */
export function setOptions(field: ConditionField, clusters = 6): { value: string | number; labelKey: string; n?: number }[] {
  switch (field) {
    case "rfmSegment": return RFM_SEGMENTS.map((s) => ({ value: s, labelKey: `analytics.segments.${s}` }));
    case "churnBand": return CHURN_BANDS.map((b) => ({ value: b, labelKey: `analytics.churn.${b}` }));
    case "cluster": return Array.from({ length: clusters }, (_, i) => ({ value: i, labelKey: "segments.clusterN", n: i + 1 }));
    case "birthdayMonth": return Array.from({ length: 12 }, (_, i) => ({ value: i + 1, labelKey: `segments.months.m${i + 1}` }));
    case "paymentMethod": return PAYMENT_METHODS.map((m) => ({ value: m, labelKey: `segments.paymentMethods.${m}` }));
    case "salesChannel": return SALES_CHANNELS.map((c) => ({ value: c, labelKey: `segments.channels.${c}` }));
    default: return [];
  }
}

/** A fresh condition for a field (may still need values before it validates). */
export function defaultCondition(field: ConditionField): Condition {
  const base = { type: "condition" as const };
  const editor = FIELD_EDITOR[field];
  switch (editor) {
    case "text": return { ...base, field, op: "in", values: [] } as unknown as Condition;
    case "orderText": return { ...base, field, op: "in", values: [] } as unknown as Condition;
    case "count": case "money": case "probability": case "score": case "age":
      return { ...base, field, op: "gte" } as unknown as Condition;
    case "date": return { ...base, field, op: "in_last_days", days: 30 } as unknown as Condition;
    case "set":
      return (field === "paymentMethod" || field === "salesChannel" ? { ...base, field, values: [] } : { ...base, field, op: "in", values: [] }) as unknown as Condition;
    case "products": return { ...base, field, productIds: [] } as unknown as Condition;
    case "categories": return { ...base, field, categories: [] } as unknown as Condition;
    case "methods": return { ...base, field, methods: ["boleto", "pix"] } as unknown as Condition;
    case "segments": return { ...base, field, segmentIds: [] } as unknown as Condition;
    case "tags": return { ...base, field, op: "any", values: [] } as unknown as Condition;
    case "boolean": return { ...base, field, value: true } as unknown as Condition;
    default: return { ...base, field } as unknown as Condition;
  }
}

/** Money typed by a merchant in major units (12,50) → minor units (1250) for the store's currency digits. */
export function toMinor(major: number, digits: number): number {
  return Math.round(major * 10 ** digits);
}
export function toMajor(minor: number, digits: number): number {
  return minor / 10 ** digits;
}

/** A segment's title in the viewer's language: automatic ones from their name keys ("#2 recent · high spend"). */
export function segmentTitle(s: { name: string; nameKey: string | null; autoKey?: string | null }, t: (key: string) => string): string {
  if (!s.nameKey) return s.name;
  const label = s.nameKey.split("|").map((k) => t(k)).join(" · ");
  const cluster = s.autoKey?.startsWith("cluster:") ? Number(s.autoKey.slice(8)) : null;
  return cluster === null ? label : `#${cluster + 1} ${label}`;
}

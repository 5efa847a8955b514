// The flow model: a trigger, then steps (delay → condition → message) with stop conditions.
// Flow.trigger, Flow.settings, FlowStep.content and FlowStep.options are JSON columns; these zod
// schemas are their one definition (parse on read, validate on save).
import { z } from "zod";

export const triggerSchema = z.discriminatedUnion("type", [
  /** A checkout with contact details and no order after it (Shopify abandoned checkout, Woo draft). */
  z.object({ type: z.literal("checkout_abandoned") }),
  /** A boleto or Pix payment still pending (issued within lookbackDays). */
  z.object({ type: z.literal("payment_pending"), method: z.enum(["boleto", "pix"]), lookbackDays: z.number().int().min(1).max(60).default(10) }),
  /** The customer's first counted order (welcome / onboarding). */
  z.object({ type: z.literal("first_order") }),
  /** Any counted order (post-purchase cross-sell). */
  z.object({ type: z.literal("order_placed") }),
  /** An order fulfilled (review request). */
  z.object({ type: z.literal("order_fulfilled") }),
  /**
   * The customer entered one of these segments (Event "segment_entered" {segmentId, segmentName}),
   * named by automatic key (Segment.autoKey, e.g. "rfm:at_risk": the same in every language), id or name.
   */
  z.object({
    type: z.literal("segment_entered"),
    segmentKeys: z.array(z.string().min(1)).default([]),
    segmentNames: z.array(z.string().min(1)).default([]),
    segmentIds: z.array(z.number().int()).default([]),
  }),
  /** No order for `factor` × the customer's own average gap between orders (at least minDays). */
  z.object({ type: z.literal("no_purchase"), factor: z.number().min(1).max(10).default(1.5), minDays: z.number().int().min(1).max(3650).default(30) }),
  /** The customer's birthday (store time zone). */
  z.object({ type: z.literal("birthday") }),
  /** Browse abandonment: a known customer viewed a product on the storefront (web pixel) and placed no order since. */
  z.object({ type: z.literal("browse_abandoned") }),
]);
export type FlowTrigger = z.infer<typeof triggerSchema>;
export type TriggerType = FlowTrigger["type"];

export const flowSettingsSchema = z.object({
  /** marketing: only to customers who accepted email marketing, frequency-capped. transactional: payment reminders. */
  kind: z.enum(["marketing", "transactional"]).default("marketing"),
  /** Hold messages during the store's quiet hours (Pix reminders are minutes long and skip it). */
  respectQuietHours: z.boolean().default(true),
});
export type FlowSettings = z.infer<typeof flowSettingsSchema>;

export const LOCALES = ["pt-BR", "en"] as const;
export type FlowLocale = (typeof LOCALES)[number];

const localized = z.object({ subject: z.string().min(1).max(300), body: z.string().min(1).max(20_000) });
export const stepContentSchema = z.object({ "pt-BR": localized, en: localized });
export type StepContent = z.infer<typeof stepContentSchema>;

export const stepOptionsSchema = z.object({
  /** Create a unique discount code through the platform for this message (percentage off). */
  discountPercent: z.number().int().min(1).max(90).optional(),
  /** Skip the step when it runs more than this many minutes after it was due (worker was down). */
  staleAfterMinutes: z.number().int().min(1).optional(),
  /** Send only once the boleto's due date has passed (the "expired" offer). */
  onlyAfterDue: z.boolean().optional(),
  /** Send on the boleto's due date (the delay is ignored; falls back to the delay without a due date). */
  atDueDate: z.boolean().optional(),
  /** Include recommended products (co-purchase pairs of the order/cart). */
  recommendations: z.boolean().optional(),
});
export type StepOptions = z.infer<typeof stepOptionsSchema>;

export const CHANNELS = ["email", "webhook"] as const;

export const stepInputSchema = z.object({
  delayMinutes: z.number().int().min(0).max(366 * 24 * 60),
  channel: z.enum(CHANNELS).default("email"),
  /** A segment filter AST (app/core/segments); null = always. */
  condition: z.record(z.string(), z.unknown(), { error: "must be a JSON object (a segment filter) or empty" }).nullable().default(null),
  content: stepContentSchema,
  options: stepOptionsSchema.default({}),
});
export type StepInput = z.infer<typeof stepInputSchema>;

/** Store-wide flow rules, in Store.settings.flows. */
export const storeFlowSettingsSchema = z.object({
  /** Local times "HH:MM" (store time zone); start > end spans midnight. null: no quiet hours. */
  quietHours: z
    .object({ start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/), end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/) })
    .nullable()
    .default({ start: "21:00", end: "08:00" }),
  /** At most `max` marketing messages per customer in any `hours` window. */
  frequencyCap: z.object({ max: z.number().int().min(1).max(100), hours: z.number().int().min(1).max(24 * 30) }).default({ max: 2, hours: 24 }),
  /** An order within this many days after a message (or its click) counts as recovered. */
  attributionDays: z.number().int().min(1).max(90).default(7),
  /** Outgoing webhook for steps on the "webhook" channel (WhatsApp/SMS tools). */
  webhookUrl: z.url().optional(),
});
export type StoreFlowSettings = z.infer<typeof storeFlowSettingsSchema>;

/**
 * The store's flow rules. Quiet hours are edited on the settings page (Store.settings.quietHours,
 * app/core/settings/store-settings.ts: { start, end } or null = send any time); when that key is
 * absent, settings.flows.quietHours or the default 21:00–08:00 applies.
 */
export function storeFlowSettings(settings: unknown): StoreFlowSettings {
  const all = (settings as Record<string, unknown> | null) ?? {};
  const parsed = storeFlowSettingsSchema.safeParse(all.flows ?? {});
  const rules = parsed.success ? parsed.data : storeFlowSettingsSchema.parse({});
  if ("quietHours" in all) {
    const q = storeFlowSettingsSchema.shape.quietHours.safeParse(all.quietHours);
    if (q.success) rules.quietHours = q.data;
  }
  return rules;
}

export function parseTrigger(json: unknown): FlowTrigger {
  return triggerSchema.parse(json);
}

export function parseFlowSettings(json: unknown): FlowSettings {
  return flowSettingsSchema.parse(json ?? {});
}

export function parseStepOptions(json: unknown): StepOptions {
  const r = stepOptionsSchema.safeParse(json ?? {});
  return r.success ? r.data : {};
}

/** Message idempotency key: customer × flow × step × trigger. */
export function messageKey(flowId: number, stepId: number, customerId: number, triggerKey: string): string {
  return `flow:${flowId}:step:${stepId}:customer:${customerId}:${triggerKey}`;
}

/** The locale a customer reads: theirs when we have a template for it, else the store's, else pt-BR. */
export function pickLocale(customerLocale: string | null | undefined, storeLocale: string): FlowLocale {
  const match = (l: string | null | undefined): FlowLocale | null => {
    if (!l) return null;
    const lower = l.toLowerCase();
    if (lower.startsWith("pt")) return "pt-BR";
    if (lower.startsWith("en")) return "en";
    return null;
  };
  return match(customerLocale) ?? match(storeLocale) ?? "pt-BR";
}

// The merchant's settings page: what the form may say and how it lands in Store.settings. Keys in
// Store.settings (JSON, merged, other keys kept): tagPrefix (segment-tags.ts), analytics.rfm
// (rfm.ts), quietHours ({ start, end } "HH:MM" in the store's time zone, or null: send any time;
// read by the follow-ups sender). The admin's language lives in the standalone session, not here.
import { z } from "zod";
import { DEFAULT_TAG_PREFIX, TagPrefixError, validateTagPrefix } from "#app/core/tags/segment-tags.ts";
import { DEFAULT_RFM_OPTIONS, parseRfmOptions, type RfmOptions } from "#app/core/analytics/rfm.ts";

export const LANGUAGE_CHOICES = ["auto", "pt-BR", "en"] as const;
export const DEFAULT_QUIET_HOURS = { start: "21:00", end: "08:00" } as const;

export interface QuietHours {
  start: string;
  end: string;
}

export interface StoreSettingsView {
  tagPrefix: string;
  rfm: RfmOptions;
  quietHours: QuietHours | null;
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "timeInvalid" });

/** Form fields → validated settings. Error messages are i18n keys under settings.errors. */
export const settingsFormSchema = z
  .object({
    tagPrefix: z.string().superRefine((v, ctx) => {
      try {
        validateTagPrefix(v);
      } catch (e) {
        if (!(e instanceof TagPrefixError)) throw e;
        ctx.addIssue({ code: "custom", message: "tagPrefixInvalid" });
      }
    }),
    rfmWindow: z.union([z.literal("all"), z.coerce.number({ message: "windowInvalid" }).int({ message: "windowInvalid" }).min(1, { message: "windowInvalid" }).max(120, { message: "windowInvalid" })]),
    tiePolicy: z.enum(["rank", "ntile"], { message: "tiePolicyInvalid" }),
    quietHoursEnabled: z.enum(["on", "off"]).default("off"),
    quietStart: z.string().optional(),
    quietEnd: z.string().optional(),
    language: z.enum(LANGUAGE_CHOICES, { message: "languageInvalid" }),
  })
  .superRefine((v, ctx) => {
    for (const issue of quietHoursIssues(v)) ctx.addIssue({ code: "custom", ...issue });
  });

/** Quiet-hours errors (only when enabled), checked even when other fields fail so all show at once. */
function quietHoursIssues(v: { quietHoursEnabled?: unknown; quietStart?: unknown; quietEnd?: unknown }): { path: string[]; message: string }[] {
  if (v.quietHoursEnabled !== "on") return [];
  const issues: { path: string[]; message: string }[] = [];
  for (const key of ["quietStart", "quietEnd"] as const) {
    if (!hhmm.safeParse(typeof v[key] === "string" ? v[key] : "").success) issues.push({ path: [key], message: "timeInvalid" });
  }
  if (!issues.length && v.quietStart === v.quietEnd) issues.push({ path: ["quietEnd"], message: "quietSame" });
  return issues;
}

export type SettingsForm = z.output<typeof settingsFormSchema>;

export function parseSettingsForm(input: Record<string, unknown>): { ok: true; value: SettingsForm } | { ok: false; errors: Record<string, string> } {
  const r = settingsFormSchema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const errors: Record<string, string> = {};
  for (const i of r.error.issues) errors[i.path.join(".") || "form"] ??= i.message;
  for (const i of quietHoursIssues(input)) errors[i.path.join(".")] ??= i.message;
  return { ok: false, errors };
}

/** The current settings as the page shows them (defaults where unset or unreadable). */
export function readStoreSettings(settings: unknown): StoreSettingsView {
  const s = (settings ?? {}) as { tagPrefix?: unknown; analytics?: { rfm?: unknown }; quietHours?: unknown };
  let rfm = DEFAULT_RFM_OPTIONS;
  try {
    rfm = s.analytics?.rfm === undefined ? DEFAULT_RFM_OPTIONS : parseRfmOptions(s.analytics.rfm);
  } catch {
    rfm = DEFAULT_RFM_OPTIONS;
  }
  const q = s.quietHours as Partial<QuietHours> | null | undefined;
  return {
    tagPrefix: typeof s.tagPrefix === "string" ? s.tagPrefix : DEFAULT_TAG_PREFIX,
    rfm,
    quietHours: q && typeof q.start === "string" && typeof q.end === "string" ? { start: q.start, end: q.end } : null,
  };
}

/** The new Store.settings JSON: `current` with the form's values merged in (other keys untouched). */
export function mergeStoreSettings(current: unknown, form: SettingsForm): { settings: Record<string, unknown>; rfmChanged: boolean; prefixChanged: boolean } {
  const base = (current && typeof current === "object" && !Array.isArray(current) ? current : {}) as Record<string, unknown>;
  const before = readStoreSettings(base);
  const rfm: RfmOptions = { windowMonths: form.rfmWindow === "all" ? null : form.rfmWindow, tiePolicy: form.tiePolicy };
  const analytics = (base.analytics && typeof base.analytics === "object" ? base.analytics : {}) as Record<string, unknown>;
  const settings = {
    ...base,
    tagPrefix: form.tagPrefix,
    analytics: { ...analytics, rfm },
    quietHours: form.quietHoursEnabled === "on" ? { start: form.quietStart!, end: form.quietEnd! } : null,
  };
  return {
    settings,
    rfmChanged: before.rfm.windowMonths !== rfm.windowMonths || before.rfm.tiePolicy !== rfm.tiePolicy,
    prefixChanged: before.tagPrefix !== form.tagPrefix,
  };
}

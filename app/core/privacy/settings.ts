// The store's privacy settings (Store.settings.privacy…): how long raw webhook bodies and
// storefront behaviour events are kept. Pure, shared by the retention job and the settings page.
import { z } from "zod";

export const DEFAULT_RETENTION_DAYS = 7;

export const retentionDaysSchema = z.coerce.number().int().min(1).max(365);

export const privacySettingsSchema = z.object({ retentionDays: retentionDaysSchema });

/** The store's retention in days: its valid setting, or the default. */
export function retentionDaysOf(settings: unknown): number {
  const value = settings && typeof settings === "object" ? (settings as Record<string, unknown>).retentionDays : undefined;
  const parsed = retentionDaysSchema.safeParse(value);
  return value !== undefined && value !== null && parsed.success ? parsed.data : DEFAULT_RETENTION_DAYS;
}

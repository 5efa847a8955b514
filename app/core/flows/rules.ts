// Pure sending rules: quiet hours in the store's time zone, the frequency cap, step timing.
import type { StoreFlowSettings } from "./model.ts";

function localMinutes(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const h = Number(parts.find((p) => p.type === "hour")?.value ?? 0);
  const m = Number(parts.find((p) => p.type === "minute")?.value ?? 0);
  return h * 60 + m;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When the store's quiet hours end, if `now` falls inside them; null when sending is fine now.
 * Start > end spans midnight (21:00–08:00). Computed in local minutes, so a DST change inside the
 * window shifts the end by that hour at most.
 */
export function quietHoursEnd(now: Date, timeZone: string, quiet: StoreFlowSettings["quietHours"]): Date | null {
  if (!quiet) return null;
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  if (start === end) return null;
  const m = localMinutes(now, timeZone);
  const inside = start < end ? m >= start && m < end : m >= start || m < end;
  if (!inside) return null;
  const wait = (end - m + 1440) % 1440;
  const at = new Date(now.getTime() + wait * 60_000);
  at.setUTCSeconds(0, 0);
  return at;
}

/** True when `sentInWindow` marketing messages already reach the cap. */
export function overFrequencyCap(sentInWindow: number, cap: StoreFlowSettings["frequencyCap"]): boolean {
  return sentInWindow >= cap.max;
}

/** When a step is due: trigger time + its delay (delays count from the trigger, not the previous step). */
export function stepDueAt(triggerAt: Date, delayMinutes: number): Date {
  return new Date(triggerAt.getTime() + delayMinutes * 60_000);
}

/** A step that runs this late (worker down, quiet hours) no longer makes sense. */
export function isStale(dueAt: Date, now: Date, staleAfterMinutes: number | undefined): boolean {
  return staleAfterMinutes !== undefined && now.getTime() - dueAt.getTime() > staleAfterMinutes * 60_000;
}

// Dashboard periods and the "vs previous period" arrows. Pure.

export const DASHBOARD_PERIODS = [30, 90, 365] as const;
export type DashboardPeriod = (typeof DASHBOARD_PERIODS)[number];
export const DEFAULT_PERIOD: DashboardPeriod = 30;

export function parsePeriod(value: string | null): { ok: true; days: DashboardPeriod } | { ok: false; message: string } {
  if (value === null || value === "") return { ok: true, days: DEFAULT_PERIOD };
  const n = Number(value);
  const hit = DASHBOARD_PERIODS.find((p) => p === n);
  return hit ? { ok: true, days: hit } : { ok: false, message: `period must be one of ${DASHBOARD_PERIODS.join(", ")} (days), got "${value.slice(0, 20)}"` };
}

export interface Delta {
  direction: "up" | "down" | "flat";
  /** Relative change in percent (current vs previous), null when the previous value was 0. */
  percent: number | null;
}

/** Change from the previous period to this one; "flat" below half a percent. */
export function comparePeriods(current: number, previous: number): Delta {
  if (!Number.isFinite(current) || !Number.isFinite(previous)) return { direction: "flat", percent: null };
  if (previous === 0) return { direction: current > 0 ? "up" : current < 0 ? "down" : "flat", percent: null };
  const percent = ((current - previous) / Math.abs(previous)) * 100;
  if (Math.abs(percent) < 0.5) return { direction: "flat", percent: 0 };
  return { direction: percent > 0 ? "up" : "down", percent: Math.round(percent * 10) / 10 };
}

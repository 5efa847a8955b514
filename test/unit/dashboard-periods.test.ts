import { describe, expect, it } from "vitest";
import { comparePeriods, parsePeriod } from "../../app/core/dashboard/periods.ts";

describe("dashboard periods", () => {
  it("offers 30, 90 and 365 days, 30 by default, and says what else is wrong", () => {
    expect(parsePeriod(null)).toEqual({ ok: true, days: 30 });
    expect(parsePeriod("365")).toEqual({ ok: true, days: 365 });
    expect(parsePeriod("7")).toEqual({ ok: false, message: 'period must be one of 30, 90, 365 (days), got "7"' });
    expect(parsePeriod("abc").ok).toBe(false);
  });

  it("compares with the previous period: arrow and percent, flat under half a percent, no percent from zero", () => {
    expect(comparePeriods(120, 100)).toEqual({ direction: "up", percent: 20 });
    expect(comparePeriods(75, 100)).toEqual({ direction: "down", percent: -25 });
    expect(comparePeriods(100.4, 100)).toEqual({ direction: "flat", percent: 0 });
    expect(comparePeriods(5, 0)).toEqual({ direction: "up", percent: null });
    expect(comparePeriods(0, 0)).toEqual({ direction: "flat", percent: null });
    expect(comparePeriods(1 / 3, 0.25)).toEqual({ direction: "up", percent: 33.3 });
  });
});

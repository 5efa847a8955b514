// RFM scoring rules (tie policies, options), the R×F segment map and churn bands.
import { describe, expect, it } from "vitest";
import { ntileScores, parseRfmOptions, rankScores } from "../../app/core/analytics/rfm.ts";
import { CHURN_BANDS, RFM_SEGMENTS, RF_MAP, churnBand, rfMapCells, segmentFor } from "../../app/core/analytics/segments.ts";
import { en } from "../../app/i18n/en.ts";
import { ptBR } from "../../app/i18n/pt-BR.ts";

describe("rank-based quintiles: 1 + floor(5 × strictly worse / n)", () => {
  it("gives distinct values evenly spread scores", () => {
    expect(rankScores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it("gives equal values equal scores, whatever their position", () => {
    // 6 of 10 customers with one order: none is strictly worse than them, so all score 1.
    const orders = [1, 1, 1, 1, 1, 1, 2, 2, 3, 7];
    expect(rankScores(orders)).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    const shuffled = [2, 1, 7, 1, 3, 1, 1, 2, 1, 1];
    const scores = rankScores(shuffled);
    for (let i = 0; i < shuffled.length; i++) for (let j = 0; j < shuffled.length; j++) if (shuffled[i] === shuffled[j]) expect(scores[i]).toBe(scores[j]);
  });

  it("handles one customer, all-equal stores and an empty store", () => {
    expect(rankScores([42])).toEqual([1]);
    expect(rankScores([5, 5, 5])).toEqual([1, 1, 1]);
    expect(rankScores([])).toEqual([]);
  });

  it("NTILE splits into five equal groups and may split ties (broken by id)", () => {
    const values = [1, 1, 1, 1, 1, 1, 2, 2, 3, 7];
    const ids = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const s = ntileScores(values, ids);
    expect([1, 2, 3, 4, 5].map((b) => s.filter((x) => x === b).length)).toEqual([2, 2, 2, 2, 2]);
    // The six one-order customers span scores 1–3, lowest ids first.
    expect(s.slice(0, 6)).toEqual([3, 3, 2, 2, 1, 1]);
    expect(ntileScores([3, 1, 2], [1, 2, 3])).toEqual([3, 1, 2]); // n < 5: first buckets only
  });

  it("validates options with a clear message", () => {
    expect(parseRfmOptions(undefined)).toEqual({ windowMonths: null, tiePolicy: "rank" });
    expect(parseRfmOptions({ windowMonths: 12, tiePolicy: "ntile" })).toEqual({ windowMonths: 12, tiePolicy: "ntile" });
    expect(() => parseRfmOptions({ windowMonths: 0 })).toThrow(/windowMonths/);
    expect(() => parseRfmOptions({ windowMonths: 2.5 })).toThrow(/windowMonths/);
    expect(() => parseRfmOptions({ tiePolicy: "dense" })).toThrow(/tiePolicy/);
  });
});

describe("the R×F segment map", () => {
  it("assigns every (R, F) cell and uses all 11 segments", () => {
    const cells = rfMapCells();
    expect(cells).toHaveLength(25);
    expect(new Set(cells.map((c) => c.segment))).toEqual(new Set(RFM_SEGMENTS));
    for (const c of cells) expect(segmentFor(c.r, c.f)).toBe(c.segment);
  });

  it("puts the extremes where merchants expect them", () => {
    expect(segmentFor(5, 5)).toBe("champions");
    expect(segmentFor(5, 1)).toBe("new");
    expect(segmentFor(1, 5)).toBe("cant_lose");
    expect(segmentFor(1, 1)).toBe("lost");
    expect(segmentFor(3, 3)).toBe("need_attention");
    expect(RF_MAP[4][0]).toBe("promising");
    expect(() => segmentFor(0, 3)).toThrow(/1–5/);
  });

  it("has an English and a pt-BR name for every segment and churn band", () => {
    for (const s of RFM_SEGMENTS) {
      expect(en.analytics.segments[s]).toBeTruthy();
      expect(ptBR.analytics.segments[s]).toBeTruthy();
    }
    expect(en.analytics.segments.cant_lose).toBe("Can't Lose Them");
    expect(ptBR.analytics.segments.champions).toBe("Campeões");
    for (const b of CHURN_BANDS) expect(ptBR.analytics.churn[b]).toBeTruthy();
  });
});

describe("churn bands (Low < 33 % ≤ Medium ≤ 66 % < High)", () => {
  it("bands at the documented edges", () => {
    expect(churnBand(0)).toBe("low");
    expect(churnBand(0.3299)).toBe("low");
    expect(churnBand(0.33)).toBe("medium");
    expect(churnBand(0.66)).toBe("medium");
    expect(churnBand(0.6601)).toBe("high");
    expect(churnBand(1)).toBe("high");
    expect(() => churnBand(Number.NaN)).toThrow(/probability/);
  });
});

import { describe, expect, it } from "vitest";
import { describeProgress, formatDuration } from "../../app/core/sync/progress.ts";

const now = new Date("2026-11-23T12:00:00Z");

describe("sync progress", () => {
  it("estimates the time left from the rate so far", () => {
    const p = describeProgress({ status: "running", done: 2500, total: 10000, startedAt: "2026-11-23T11:59:00Z", finishedAt: null }, now);
    expect(p).toEqual({ percent: 25, etaSeconds: 180, elapsedSeconds: 60 });
  });

  it("gives no estimate before there is a rate, nor a percent without a total", () => {
    expect(describeProgress({ status: "running", done: 10, total: 1000, startedAt: "2026-11-23T11:59:59Z", finishedAt: null }, now).etaSeconds).toBeNull();
    expect(describeProgress({ status: "running", done: 10, total: null, startedAt: "2026-11-23T11:50:00Z", finishedAt: null }, now)).toMatchObject({ percent: null, etaSeconds: null });
    expect(describeProgress({ status: "queued", done: 0, total: null, startedAt: null, finishedAt: null }, now)).toEqual({ percent: null, etaSeconds: null, elapsedSeconds: null });
  });

  it("is 100 % when done, with the time it took", () => {
    expect(describeProgress({ status: "done", done: 90, total: 100, startedAt: "2026-11-23T11:00:00Z", finishedAt: "2026-11-23T11:02:00Z" }, now)).toEqual({
      percent: 100,
      etaSeconds: 0,
      elapsedSeconds: 120,
    });
  });

  it("formats durations briefly", () => {
    expect(formatDuration(40)).toBe("40 s");
    expect(formatDuration(240)).toBe("4 min");
    expect(formatDuration(7500)).toBe("2 h 5 min");
    expect(formatDuration(7200)).toBe("2 h");
  });
});

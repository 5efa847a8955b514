import { describe, expect, it } from "vitest";
import { boundedMemo } from "../../app/core/bounded-memo.ts";

describe("boundedMemo", () => {
  it("computes each key once while it is held, and forgets everything once full", () => {
    const calls: string[] = [];
    const upper = boundedMemo((k) => {
      calls.push(k);
      return k.toUpperCase();
    }, 2);
    expect([upper("a"), upper("b"), upper("a"), upper("b")]).toEqual(["A", "B", "A", "B"]);
    expect(calls).toEqual(["a", "b"]);
    // A third key clears the two held ones: "a" is computed again afterwards.
    expect([upper("c"), upper("c"), upper("a")]).toEqual(["C", "C", "A"]);
    expect(calls).toEqual(["a", "b", "c", "a"]);
  });

  it("remembers falsy answers too", () => {
    let n = 0;
    const empty = boundedMemo(() => (n++, ""));
    expect([empty("x"), empty("x")]).toEqual(["", ""]);
    expect(n).toBe(1);
  });
});

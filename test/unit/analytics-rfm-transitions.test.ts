// The transition matrix rebuilt from what the rescoring statement reports (rewritten rows,
// cleared customers, segment sizes): unchanged customers land on the diagonal.
import { describe, expect, it } from "vitest";
import { transitionsOf } from "../../app/core/analytics/rfm.server.ts";

describe("transitionsOf", () => {
  it("puts customers whose scores did not change on the diagonal and keeps the moves and clears", () => {
    const out = transitionsOf([
      { kind: "scored", from: null, to: "champions", customers: 10 },
      { kind: "scored", from: null, to: "lost", customers: 5 },
      { kind: "moved", from: "loyal", to: "champions", customers: 3 },
      { kind: "moved", from: "champions", to: "champions", customers: 2 }, // scores moved, segment kept
      { kind: "moved", from: null, to: "lost", customers: 5 }, // new customers
      { kind: "cleared", from: "at_risk", to: null, customers: 1 },
    ]);
    expect(out.customers).toBe(15);
    expect(out.changed).toBe(11);
    expect(out.transitions).toEqual([
      { from: null, to: "lost", customers: 5 },
      { from: "at_risk", to: null, customers: 1 },
      { from: "champions", to: "champions", customers: 7 },
      { from: "loyal", to: "champions", customers: 3 },
    ]);
  });

  it("a first run is all moves from nothing", () => {
    const out = transitionsOf([
      { kind: "scored", from: null, to: "new", customers: 4 },
      { kind: "moved", from: null, to: "new", customers: 4 },
    ]);
    expect(out.transitions).toEqual([{ from: null, to: "new", customers: 4 }]);
  });
});

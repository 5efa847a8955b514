import { describe, expect, it } from "vitest";
import { failureDetail, failureReason } from "../../app/core/sync/failures.ts";

describe("failure reasons in plain words", () => {
  it("classifies the errors processing actually produces", () => {
    expect(failureReason("Unexpected token } in JSON at position 12")).toBe("unreadable");
    expect(failureReason("orders/create payload: line_items: expected array, received string")).toBe("unreadable");
    expect(failureReason("no normaliser for platform nuvemshop yet")).toBe("unreadable");
    expect(failureReason("Raw query failed. Code: `P0001`. Message: `poisoned row`")).toBe("database");
    expect(failureReason('duplicate key value violates unique constraint "Order_pkey"')).toBe("database");
    expect(failureReason("canceling statement due to statement timeout")).toBe("timeout");
    expect(failureReason("Connection terminated unexpectedly")).toBe("connection");
    expect(failureReason("connect ECONNREFUSED 127.0.0.1:5432")).toBe("connection");
    expect(failureReason("something odd")).toBe("unknown");
    expect(failureReason(null)).toBe("unknown");
  });

  it("keeps the informative line, shortened", () => {
    expect(failureDetail("\n  first line  \nsecond")).toBe("first line");
    expect(failureDetail("x".repeat(300), 10)).toBe(`${"x".repeat(9)}…`);
    expect(failureDetail(null)).toBe("");
    expect(failureDetail("Invalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `P0001`. Message: `poisoned row`")).toBe("poisoned row");
    expect(failureDetail("Invalid `prisma.order.update()` invocation:\n\nAn operation failed")).toBe("An operation failed");
  });
});

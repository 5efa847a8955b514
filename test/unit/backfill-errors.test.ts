// The bulk loader retries a chunk or a stats range that lost a deadlock to a concurrent webhook
// batch; it must recognise one however the driver reports it.
import { describe, expect, it } from "vitest";
import { pgErrorCode } from "../../app/core/ingest/bulk-load.server";

describe("pgErrorCode", () => {
  it("reads SQLSTATE from node-postgres and Prisma errors", () => {
    expect(pgErrorCode(Object.assign(new Error("deadlock detected"), { code: "40P01" }))).toBe("40P01");
    expect(pgErrorCode(Object.assign(new Error("x"), { code: "P2010", meta: { code: "40001", message: "could not serialize" } }))).toBe("40001");
    expect(pgErrorCode(new Error("Invalid `prisma.$executeRawUnsafe()` invocation: Raw query failed. Code: `40P01`. Message: `deadlock detected`"))).toBe("40P01");
    expect(pgErrorCode(Object.assign(new Error("Transaction failed due to a write conflict or a deadlock"), { code: "P2034" }))).toBe("40P01");
  });
  it("answers null for anything else", () => {
    expect(pgErrorCode(new Error("connection terminated"))).toBeNull();
    expect(pgErrorCode(Object.assign(new Error("x"), { code: "ECONNRESET" }))).toBeNull();
    expect(pgErrorCode(null)).toBeNull();
    expect(pgErrorCode("text")).toBeNull();
  });
});

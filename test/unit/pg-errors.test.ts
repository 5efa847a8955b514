// Set-based writers (the bulk loader's chunks and stats ranges, Shopify's statistics) retry a
// transaction that lost a deadlock to a concurrent webhook batch; they must recognise one however
// the driver reports it, and give up on anything else.
import { describe, expect, it } from "vitest";
import { pgErrorCode, retryOnConflict } from "../../app/db/pg-errors.server.ts";

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

describe("retryOnConflict", () => {
  const failing = (codes: (string | null)[]) => {
    const calls = { n: 0 };
    const attempt = async () => {
      const code = codes[calls.n++];
      if (code === undefined) return "done";
      throw Object.assign(new Error(code ?? "boom"), code ? { code } : {});
    };
    return { calls, attempt };
  };
  it("runs the transaction again after deadlocks and serialization failures", async () => {
    const { calls, attempt } = failing(["40P01", "40001"]);
    await expect(retryOnConflict(attempt, 5)).resolves.toBe("done");
    expect(calls.n).toBe(3);
  });
  it("throws any other error at once", async () => {
    const { calls, attempt } = failing(["23505"]);
    await expect(retryOnConflict(attempt, 5)).rejects.toMatchObject({ code: "23505" });
    expect(calls.n).toBe(1);
  });
  it("gives up after the last attempt with the conflict itself", async () => {
    const { calls, attempt } = failing(["40P01", "40P01", "40P01"]);
    await expect(retryOnConflict(attempt, 2)).rejects.toMatchObject({ code: "40P01" });
    expect(calls.n).toBe(2);
  });
});

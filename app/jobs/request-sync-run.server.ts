// A run the merchant asks for from the UI (resync, tag push): the "queued" run row the progress bar
// shows and the job that will take it over are created in one transaction. Separately, a crash or
// a refused enqueue between the two left a queued run that no job would ever claim — and it kept
// blocking the button as "already running" until it went stale hours later.
import type { SyncKind, SyncRun } from "@prisma/client";
import { STALE_RUN_MS } from "#app/core/sync/sync-runs.server.ts";
import type { Services } from "#app/server/services.server.ts";
import { jobsWithin } from "./jobs-in-transaction.server.ts";
import type { StoreJob } from "./queues.ts";

class AlreadyQueued extends Error {}

/**
 * Creates the queued run and its job (singleton per store), or returns null when a run of this kind
 * is already queued or running — also when two clicks race: they take turns on a per-store lock.
 */
export async function requestSyncRun(services: Pick<Services, "db" | "boss">, storeId: number, kind: SyncKind, queue: string, now = new Date()): Promise<SyncRun | null> {
  try {
    return await services.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('sync-run-request'), ${storeId}::int)`;
      const active = await tx.syncRun.findFirst({
        where: { storeId, kind, status: { in: ["queued", "running"] }, createdAt: { gt: new Date(now.getTime() - STALE_RUN_MS) } },
        select: { id: true },
      });
      if (active) throw new AlreadyQueued();
      const run = await tx.syncRun.create({ data: { storeId, kind, status: "queued" } });
      const jobId = await services.boss.send(queue, { storeId, runId: run.id } satisfies StoreJob, { singletonKey: String(storeId), db: jobsWithin(tx) });
      // pg-boss refuses a second queued job for the store (its queue policy): keep no orphan run.
      if (!jobId) throw new AlreadyQueued();
      return run;
    });
  } catch (e) {
    if (e instanceof AlreadyQueued) return null;
    throw e;
  }
}

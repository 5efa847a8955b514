// The job worker process gives way to the web process on a small machine. The parent lowers the
// child's priority (worker-child.server.ts), but Linux priorities are per thread and the threads
// Node starts before that (V8's GC and compiler helpers, libuv's pool) keep the old one; and the
// PostgreSQL backends that run the workers' SQL (rescoring, webhook batches) are separate
// processes competing with the backends that store webhook receipts. So the child lowers, with
// the same niceness: every thread of its own, and the backends of its own connections (named by
// application_name) when PostgreSQL runs on this machine (the embedded one of `npm start`).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import type { Db } from "#app/db/client.server.ts";
import { poolOf } from "#app/db/client.server.ts";
import type { Logger } from "#app/logger.server.ts";

/** Niceness of the job worker child (0 = normal, 19 = lowest). */
export const WORKER_NICENESS = 10;

/** application_name of the worker child's connections (set on its DATABASE_URL by the parent). */
export const WORKER_APPLICATION_NAME = "caderninho-worker";

/**
 * How the worker gives way: `nice` (the niceness above: a small CPU share when the CPUs are busy),
 * or `idle` (Linux SCHED_IDLE on top of it, set with util-linux's `chrt`: the worker's threads and
 * backends run only when nothing else wants a CPU; a runnable web backend never waits behind them
 * for a time slice). Chosen with WORKER_SCHED; measured by bench/ingest.bench.ts's (a″) rows.
 */
export type WorkerSched = "nice" | "idle";

export function workerSchedFrom(env: Record<string, string | undefined>): WorkerSched {
  return env.WORKER_SCHED === "idle" ? "idle" : "nice";
}

/** SCHED_IDLE for one thread or process (no privilege is needed to lower one's own); false when chrt is missing or refused. */
function schedIdle(pid: number): boolean {
  try {
    return spawnSync("chrt", ["--idle", "-p", "0", String(pid)], { stdio: "ignore", timeout: 2000 }).status === 0;
  } catch {
    return false;
  }
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

function lower(pid: number, niceness: number): boolean {
  try {
    if (os.getPriority(pid) >= niceness) return true;
    os.setPriority(pid, niceness);
    return true;
  } catch {
    return false; // gone, or not permitted here (some containers)
  }
}

/** Lower every thread of this process (Linux: /proc/self/task); elsewhere the process. `idled`: threads already SCHED_IDLE (when asked). */
function lowerOwnThreads(niceness: number, idled: Set<number> | null) {
  let tids: string[] = [];
  try {
    tids = fs.readdirSync("/proc/self/task");
  } catch {
    lower(process.pid, niceness);
    return;
  }
  for (const tid of tids.map(Number)) {
    lower(tid, niceness);
    if (idled && !idled.has(tid) && schedIdle(tid)) idled.add(tid);
  }
}

/** True when `pid` on this machine is a PostgreSQL process (never renice a stranger). */
function isLocalPostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("postgres");
  } catch {
    return false;
  }
}

/**
 * Keep this process's threads and its local PostgreSQL backends at `niceness`, re-checked every
 * `everyMs` (pools open new connections). Returns a stop function.
 */
export function deprioritizeWorker(opts: { db: Db; databaseUrl: string; niceness: number; log: Logger; everyMs?: number; sched?: WorkerSched }): () => void {
  const host = new URL(opts.databaseUrl).hostname;
  const local = LOCAL_HOSTS.has(host) && process.platform === "linux";
  const idle = opts.sched === "idle" && process.platform === "linux";
  const idledThreads = idle ? new Set<number>() : null;
  const done = new Set<number>();
  let refused = false;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      lowerOwnThreads(opts.niceness, idledThreads);
      if (!local || refused) return;
      const { rows } = await poolOf(opts.db).query<{ pid: number }>(
        // The worker's own connections and its rescoring thread's ("caderninho-worker-rescore").
        `SELECT pid FROM pg_stat_activity WHERE (application_name = $1 OR application_name LIKE $1 || '-%') AND datname = current_database()`,
        [WORKER_APPLICATION_NAME],
      );
      const alive = new Set<number>();
      for (const { pid } of rows) {
        alive.add(pid);
        if (done.has(pid) || !isLocalPostgres(pid)) continue;
        if (lower(pid, opts.niceness)) {
          if (idle) schedIdle(pid);
          done.add(pid);
        }
        else {
          refused = true;
          opts.log.info({ pid }, "cannot lower the priority of the workers' PostgreSQL backends here; leaving them as they are");
          return;
        }
      }
      for (const pid of done) if (!alive.has(pid)) done.delete(pid);
    } catch (err) {
      opts.log.debug({ err }, "lowering the workers' priority failed this time");
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), opts.everyMs ?? 2000);
  timer.unref();
  return () => clearInterval(timer);
}

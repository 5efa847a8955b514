// Job workers in a child process of `npm start` (WORKERS=child, the default): processing a batch
// of webhooks is CPU work that, on the web process's event loop, would sit in front of every
// request arriving meanwhile (p99 of the webhook answer 83 ms with inline workers vs 52 ms
// without, bench/results.md). The child shares the database (the embedded PostgreSQL's URL is
// handed to it) and is restarted if it dies; on shutdown it drains its jobs before PostgreSQL stops.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { WORKER_APPLICATION_NAME, WORKER_NICENESS } from "./deprioritize.server.ts";

export interface WorkerChild {
  /** SIGTERM, then wait for the child to finish its jobs and exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

const WORKER_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.ts");

function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set("application_name", name);
  return u.toString();
}

/** `env`: settings for the child beyond this process's environment (benchmarks, tests). */
export function startWorkerChild(databaseUrl: string, log: Logger, env: Record<string, string> = {}): WorkerChild {
  let child: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | null = null;

  const launch = () => {
    const startedAt = Date.now();
    child = spawn(process.execPath, ["--import", "tsx", WORKER_ENTRY], {
      // Its connections are named, so it can find (and deprioritize) its own PostgreSQL backends.
      env: { ...process.env, ...env, DATABASE_URL: withApplicationName(databaseUrl, WORKER_APPLICATION_NAME), WORKER_CHILD: "1" },
      // The IPC channel is only a lifeline: it closes when this process dies, even by SIGKILL, and
      // the child then stops instead of running on as an orphan (see app/server/worker.ts).
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    // Lower CPU priority than the web process: on a small machine the OS then serves webhook and
    // admin requests first and the jobs with what is left (they only need to keep up on average).
    try {
      if (child.pid) os.setPriority(child.pid, WORKER_NICENESS);
    } catch {
      // Not permitted here (some containers): run at normal priority.
    }
    log.info({ pid: child.pid }, "job workers started in a child process");
    child.on("exit", (code, signal) => {
      child = null;
      if (stopping) return;
      // A child that ran a while gets restarted at once; one that keeps dying backs off to 30 s.
      restarts = Date.now() - startedAt > 60_000 ? 0 : restarts + 1;
      const delay = Math.min(30_000, 500 * 2 ** restarts);
      log.error({ code, signal, restartInMs: delay }, "job worker process exited; restarting it");
      restartTimer = setTimeout(launch, delay);
    });
  };
  launch();

  return {
    async stop(timeoutMs = 35_000) {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const running = child;
      if (!running) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => running.kill("SIGKILL"), timeoutMs);
        running.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        running.kill("SIGTERM");
      });
    },
  };
}

// Fault injection around the job worker: the real worker entry point (`app/server/worker.ts`, what
// `npm run worker` and `npm start`'s child run) as a child process against a test database, so a
// test can SIGKILL it mid-job and start another; and a pg-boss "supervisor" that checks for lost
// heartbeats every second instead of every minute (time compressed, not skipped: the same SQL runs).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PgBoss } from "pg-boss";
import { PROJECT_ROOT } from "./app-process.ts";

export interface WorkerProcess {
  pid: number;
  /** Everything it printed (stdout + stderr). */
  output(): string;
  /** Resolves when it logged "job workers started". */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** kill -9: no drain, no goodbye, jobs left active in the queue. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (graceful drain). */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

export function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "caderninho-worker-"));
  // Node itself with tsx's loader, not the tsx CLI: the CLI runs the program in a child of its own,
  // so a SIGKILL to the CLI left the real worker running on as an orphan (it was never killed).
  const child = spawn(process.execPath, ["--import", "tsx", "app/server/worker.ts"], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PATH: [path.join(PROJECT_ROOT, "node_modules/.bin"), process.env.PATH].join(path.delimiter),
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      WORKERS: "child",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const append = (s: string) => {
    out += s;
    if (out.length > 400_000) out = out.slice(-400_000);
    if (s.includes("job workers started")) onReady();
  };
  child.stdout!.setEncoding("utf8").on("data", append);
  child.stderr!.setEncoding("utf8").on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      live.delete(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  return {
    pid: child.pid!,
    output: () => out,
    ready: Promise.race([
      ready,
      exited.then(({ code, signal }) => {
        throw new Error(`worker exited (code ${code}, signal ${signal}) before it started:\n${out.slice(-4000)}`);
      }),
    ]),
    exited,
    async kill9() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * A pg-boss instance with no workers whose supervision (expired jobs, lost heartbeats → retry)
 * runs every second. pg-boss's default is once a minute; a killed worker's jobs then wait for it.
 */
export async function startFastSupervisor(databaseUrl: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss", max: 2, schedule: false, superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 });
  boss.on("error", () => undefined);
  await boss.start();
  return boss;
}

/** Poll `check` every `everyMs` until it returns a value other than undefined/false. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 120_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

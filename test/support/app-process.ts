// The real product as a child process, started the way `npm start` starts it (tsx app/server/main.ts
// from the project root, node_modules/.bin first on PATH so it runs on the project's Node 22), on
// a fresh DATA_DIR with no DATABASE_URL: it boots its own embedded PostgreSQL exactly as on a fresh
// clone. Free ports for HTTP and PostgreSQL, so it can run next to a developer's own `npm start`.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

const READY_MSG = "caderninho is running";
const KEEP_OUTPUT_CHARS = 200_000;

export interface AppProcess {
  /** http://localhost:PORT */
  url: string;
  port: number;
  adminPassword: string;
  dataDir: string;
  pid: number;
  /** Everything the process printed so far (stdout and stderr, interleaved, tail-truncated). */
  output(): string;
  /** Parsed pino lines from stdout so far. */
  logs(): Record<string, unknown>[];
  /** SIGTERM, wait for the graceful exit (kill -9 after `graceMs`), remove DATA_DIR. */
  stop(graceMs?: number): Promise<StopResult>;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** It did not exit within the grace period and had to be killed (kill -9 of its process group). */
  forced: boolean;
  /** The embedded PostgreSQL had shut down cleanly when the app exited (it then removes DATA_DIR/pg/postmaster.pid). */
  postgresStopped: boolean;
  /** Processes of the app's process group still running after it exited (its PostgreSQL, if it did not stop it). */
  orphans: string[];
}

export interface StartAppOptions {
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  adminPassword?: string;
  /** How long to wait for "caderninho is running". */
  readyTimeoutMs?: number;
}

/** Ports nobody listens on right now (all held open together, so they are distinct). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.unref();
          s.on("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/**
 * A fresh DATA_DIR. As root, embedded PostgreSQL runs as the `postgres` user, which must be able to
 * traverse every folder down to its data directory: mkdtemp makes 0700, so open it to 0755 and
 * check that the whole path is traversable by others.
 */
export function makeDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "caderninho-e2e-"));
  fs.chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    for (let d = dir; ; d = path.dirname(d)) {
      const mode = fs.statSync(d).mode;
      if ((mode & 0o001) === 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(
          `${d} (mode ${(mode & 0o7777).toString(8)}) is not traversable by other users, so the embedded PostgreSQL ` +
            `(run as "postgres" because we are root) cannot reach ${dir}. Point TMPDIR at a world-traversable folder.`,
        );
      }
      if (d === path.dirname(d)) break;
    }
  }
  return dir;
}

/** The parent's environment minus what would make this run differ from a fresh clone's `npm start`. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // DATABASE_URL: the point is the embedded PostgreSQL. NODE_ENV/VITEST*/TEST: vitest sets them, a shell
  // running `npm start` does not. Shopify credentials or APP_URL would switch the app to embedded mode.
  for (const key of Object.keys(env)) {
    if (/^VITEST/.test(key) || ["DATABASE_URL", "NODE_ENV", "TEST", "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "APP_URL", "HOST", "DEMO_STORE", "WORKERS"].includes(key)) {
      delete env[key];
    }
  }
  // What `npm start` does: node_modules/.bin first, so tsx's `#!/usr/bin/env node` finds the project's Node 22.
  env.PATH = [path.join(PROJECT_ROOT, "node_modules/.bin"), env.PATH].filter(Boolean).join(path.delimiter);
  return env;
}

/**
 * Live (non-zombie) processes of a process group, as "pid command" strings. Reads /proc (Linux);
 * elsewhere falls back to whether the group answers kill(-pgid, 0).
 */
export function groupMembers(pgid: number): string[] {
  if (!fs.existsSync("/proc/self/stat")) {
    try {
      process.kill(-pgid, 0);
      return [`group ${pgid}`];
    } catch {
      return [];
    }
  }
  const members: string[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) !== pgid || state === "Z" || state === "X") continue;
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      members.push(`${entry} ${cmd.slice(0, 200)}`);
    } catch {
      /* exited meanwhile */
    }
  }
  return members;
}

/**
 * After the app exited: what of its process group is still running (its PostgreSQL, if the app did
 * not stop it). Give it `ms` to finish on its own, then kill -9. Returns what was still running.
 */
async function reapGroup(pgid: number, ms: number): Promise<string[]> {
  const left = groupMembers(pgid);
  if (!left.length) return [];
  const deadline = Date.now() + ms;
  while (groupMembers(pgid).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupMembers(pgid).length) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      /* gone meanwhile */
    }
    const killDeadline = Date.now() + 5_000;
    while (groupMembers(pgid).length && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 50));
  }
  return left;
}

const running = new Set<ChildProcess>();
// If the test runner dies mid-test, do not leave an app (and its PostgreSQL) behind.
process.once("exit", () => {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
});

export async function startAppProcess(opts: StartAppOptions = {}): Promise<AppProcess> {
  const [port, pgPort] = await freePorts(2) as [number, number];
  const dataDir = makeDataDir();
  const adminPassword = opts.adminPassword ?? "e2e-admin-password-7261";
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PORT: String(port),
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    ADMIN_PASSWORD: adminPassword,
    DEMO_CUSTOMERS: "120",
    DEMO_SEED: "11",
    LOG_LEVEL: "info",
    ...opts.env,
  };
  delete env.DATABASE_URL;

  const tsx = path.join(PROJECT_ROOT, "node_modules/.bin/tsx");
  const child = spawn(tsx, ["app/server/main.ts"], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: if it will not stop, kill -9 takes tsx, the app and PostgreSQL together.
    detached: true,
  });
  running.add(child);
  let spawnError: Error | null = null;
  child.once("error", (e) => {
    spawnError = e;
    running.delete(child);
  });

  let output = "";
  const logs: Record<string, unknown>[] = [];
  const append = (s: string) => {
    output += s;
    if (output.length > KEEP_OUTPUT_CHARS) output = output.slice(-KEEP_OUTPUT_CHARS);
  };
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      running.delete(child);
      resolve(exit);
    });
  });

  let onReady: (() => void) | null = null;
  let stdoutRest = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    append(chunk);
    stdoutRest += chunk;
    const lines = stdoutRest.split("\n");
    stdoutRest = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === READY_MSG) onReady?.();
      } catch {
        /* not a log line */
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", append);

  const tail = () => output.trim().split("\n").slice(-40).join("\n");
  let stopping: Promise<StopResult> | null = null;
  const app: AppProcess = {
    url: `http://localhost:${port}`,
    port,
    adminPassword,
    dataDir,
    pid: child.pid!,
    output: () => output,
    logs: () => logs,
    stop(graceMs = 30_000) {
      stopping ??= (async () => {
        const t0 = Date.now();
        let forced = false;
        if (!exit && !spawnError) {
          // What a process manager does to `npm start`: SIGTERM to the process it started (tsx), which
          // relays it to the app; the app should close HTTP, drain jobs and stop PostgreSQL.
          child.kill("SIGTERM");
          const timer = setTimeout(() => {
            forced = true;
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              /* gone meanwhile */
            }
          }, graceMs);
          await exited;
          clearTimeout(timer);
        }
        const ms = Date.now() - t0;
        const postgresStopped = !fs.existsSync(path.join(dataDir, "pg", "postmaster.pid"));
        // Whatever the app left behind in its process group (an orphaned PostgreSQL) goes before its
        // data directory does: give it 5 s to finish on its own, then kill -9.
        const orphans = child.pid ? await reapGroup(child.pid, 5_000) : [];
        fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
        return { code: exit?.code ?? null, signal: exit?.signal ?? null, ms, forced, postgresStopped, orphans };
      })();
      return stopping;
    },
  };

  const timeoutMs = opts.readyTimeoutMs ?? 120_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`caderninho did not print "${READY_MSG}" within ${timeoutMs / 1000} s. Output:\n${tail()}`)), timeoutMs);
      onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`caderninho exited (code ${code}, signal ${signal}) before it was running. Output:\n${tail()}`));
      });
      child.once("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`could not run ${tsx}: ${e.message}`));
      });
    });
  } catch (e) {
    await app.stop(10_000);
    throw e;
  }
  return app;
}

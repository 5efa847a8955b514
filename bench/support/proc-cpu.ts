// CPU of processes other than this one, from /proc: the job worker child of `npm start` (found as
// a child of this process running app/server/worker.ts) and the PostgreSQL backends of each
// connection pool (told apart by application_name). The probe attributes PostgreSQL as a whole;
// this splits out who the CPU went to. Linux only; null elsewhere.
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import type { BenchApp } from "./types.ts";

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {
  // keep the usual value
}

function stat(pid: number): { ppid: number; ticks: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    // utime + stime (all threads of the process) + cutime + cstime (waited-for children)
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/** Pids of this process's children whose command line contains `needle`. */
export function childPids(needle: string): number[] {
  if (!fs.existsSync("/proc")) return [];
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s?.ppid !== process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

type Snapshot = Map<number, { group: string; ticks: number }>;

async function snapshot(app: BenchApp, workerNeedle: string): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  for (const pid of childPids(workerNeedle)) {
    const s = stat(pid);
    if (s) snap.set(pid, { group: "worker child process (Node, all threads)", ticks: s.ticks });
  }
  const backends = await app.query<{ pid: number; app: string }>(
    `SELECT pid, CASE application_name WHEN 'caderninho-jobs' THEN 'pg-boss' WHEN '' THEN 'prisma' ELSE application_name END AS app
     FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
  );
  for (const b of backends) {
    const s = stat(b.pid);
    if (s) snap.set(b.pid, { group: `PostgreSQL backends of ${b.app}`, ticks: s.ticks });
  }
  return snap;
}

/**
 * Start measuring; `stop()` gives CPU seconds per group over the interval. Backends that came and
 * went between the two snapshots are missed (the app's pools keep theirs open under load); ones
 * opened during the interval count from their start.
 */
export async function startProcCpu(app: BenchApp, workerNeedle = "worker.ts") {
  const before = fs.existsSync("/proc") ? await snapshot(app, workerNeedle) : null;
  return {
    async stop(): Promise<Record<string, number> | null> {
      if (!before) return null;
      const after = await snapshot(app, workerNeedle);
      const out: Record<string, number> = {};
      for (const [pid, a] of after) {
        const b = before.get(pid);
        const ticks = a.ticks - (b && b.group === a.group ? b.ticks : 0);
        out[a.group] = (out[a.group] ?? 0) + ticks / clockTicks;
      }
      return out;
    },
  };
}

/** Markdown rows: CPU of each group in % of one core over `seconds`. */
export function procCpuTable(label: string, seconds: number, cpu: Record<string, number> | null): string {
  if (!cpu) return "";
  const rows = Object.entries(cpu)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `| ${k} | ${Math.round((100 * v) / seconds)} % | ${v.toFixed(1)} s |`);
  return [`CPU by process in ${label} (/proc, over ${seconds.toFixed(1)} s):`, "", "| process | % of one core | CPU seconds |", "|---|---:|---:|", ...rows].join("\n");
}

// ------------------------------------------------------------------------------------------
// PostgreSQL's CPU by process kind, sampled
// ------------------------------------------------------------------------------------------

interface PgProc {
  ticks: number;
  state: string;
  ppid: number;
}

function pgProc(pid: number): PgProc | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return { state: f[0]!, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** The postmaster's own CPU plus that of its children it has reaped (cutime + cstime), in ticks. */
function postmasterTicks(pid: number): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return null;
  }
}

function childrenOf(ppid: number): Map<number, PgProc> {
  const out = new Map<number, PgProc>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const p = pgProc(Number(entry));
    if (p?.ppid === ppid) out.set(Number(entry), p);
  }
  return out;
}

/** The kind of a PostgreSQL child from its title ("postgres: walwriter", "postgres: user db host(port) idle", …). */
function auxKind(pid: number): string | null {
  let title: string;
  try {
    title = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return null;
  }
  const m = /^postgres: (.*)$/.exec(title);
  if (!m) return "other"; // not yet retitled (just forked), or not a PostgreSQL process
  const t = m[1]!;
  if (t.startsWith("autovacuum worker")) return "autovacuum workers";
  if (t.startsWith("parallel worker")) return "parallel query workers";
  for (const k of ["checkpointer", "background writer", "walwriter", "io worker", "autovacuum launcher", "logical replication launcher"]) if (t.startsWith(k)) return k === "io worker" ? "io workers" : k;
  return null; // a client backend: named by its application_name
}

export interface PostgresCpuSampler {
  /** CPU seconds per kind of PostgreSQL process over the interval; the kinds add up to `total`. */
  stop(): Promise<{ total: number; byKind: Record<string, number> } | null>;
}

/**
 * PostgreSQL's CPU over an interval, by kind of process: each client backend by its
 * application_name (pg_stat_activity), the auxiliary processes (WAL writer, checkpointer,
 * background writer, io workers), autovacuum workers, parallel query workers. Children of the
 * postmaster are sampled every `intervalMs`; the total comes from the postmaster's reaped-children
 * counters plus the live children, read once every exited backend has been reaped (a zombie's
 * /proc entry no longer shows its CPU, and the parent's counters do not have it yet: reading in
 * that window lost a whole backend). CPU of processes that came and went between two samples, and
 * of the last moments of exiting ones, is the row "exited between samples".
 */
export async function startPostgresCpuSampler(app: BenchApp, intervalMs = 250): Promise<PostgresCpuSampler | null> {
  if (!fs.existsSync("/proc")) return null;
  const [me] = await app.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const postmaster = me ? pgProc(me.pid)?.ppid : undefined;
  if (!postmaster) return null;
  const names = new Map<number, string>();
  const lookupNames = async () => {
    const rows = await app.query<{ pid: number; app: string }>(
      `SELECT pid, CASE WHEN application_name = 'caderninho-jobs' THEN 'pg-boss' WHEN application_name = '' THEN 'prisma' ELSE application_name END AS app
       FROM pg_stat_activity WHERE backend_type = 'client backend'`,
    );
    for (const r of rows) names.set(r.pid, r.pid === me!.pid ? "bench monitoring" : `backends of ${r.app}`);
  };
  /** pid → kind, ticks at the first sample it was seen in (0 when born after the start), last ticks seen. */
  const seen = new Map<number, { kind: string | null; first: number; last: number }>();
  const sample = (initial: boolean) => {
    for (const [pid, p] of childrenOf(postmaster)) {
      if (p.state === "Z") continue;
      const s = seen.get(pid);
      if (s) {
        s.last = p.ticks;
        // A process forked a moment ago may still carry the postmaster's command line.
        if (s.kind === "other") s.kind = auxKind(pid);
      } else seen.set(pid, { kind: auxKind(pid), first: initial ? p.ticks : 0, last: p.ticks });
    }
  };
  const liveTicks = () => [...childrenOf(postmaster).values()].reduce((sum, p) => sum + p.ticks, 0);
  await lookupNames();
  const total0 = (postmasterTicks(postmaster) ?? 0) + liveTicks();
  sample(true);
  let n = 0;
  let naming: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sample(false);
    // New client backends get their names (a query, so not every sample).
    if (++n % 4 === 0 && [...seen.entries()].some(([pid, s]) => s.kind === null && !names.has(pid))) naming = naming.then(lookupNames).catch(() => undefined);
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await naming;
      await lookupNames().catch(() => undefined);
      sample(false);
      // Wait (up to 3 s) for exited backends to be reaped, so the total holds their CPU.
      for (let i = 0; i < 30 && [...childrenOf(postmaster).values()].some((p) => p.state === "Z"); i++) await new Promise((r) => setTimeout(r, 100));
      const master = postmasterTicks(postmaster);
      if (master === null) return null;
      const total = (master + liveTicks() - total0) / clockTicks;
      const byKind: Record<string, number> = {};
      for (const [pid, s] of seen) {
        const kind = s.kind ?? names.get(pid) ?? "client backends (unnamed)";
        byKind[kind] = (byKind[kind] ?? 0) + (s.last - s.first) / clockTicks;
      }
      const attributed = Object.values(byKind).reduce((a, b) => a + b, 0);
      byKind["exited between samples"] = Math.max(0, total - attributed);
      return { total: Math.max(total, attributed), byKind };
    },
  };
}

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

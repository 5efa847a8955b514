// Where does a phase's time go? Wall time, CPU of this process (main thread vs the rest: sender
// thread, GC, libuv), the main thread's event-loop utilisation, CPU of every PostgreSQL process
// (from /proc), and what the app's PostgreSQL backends were doing, sampled from pg_stat_activity.
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import pg from "pg";
import { MONITOR_ROLE } from "./postgres.ts";

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {
  // not Linux: keep the usual value; PostgreSQL CPU is then reported as unknown anyway
}

/** CPU seconds used so far by the postmaster, its exited children (cutime) and its live children. */
export function postgresCpuSeconds(postmasterPid: number | null): number | null {
  if (!postmasterPid || !fs.existsSync("/proc")) return null;
  const read = (pid: string | number) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command (which may contain spaces) start after the last ')'.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
    } catch {
      return null;
    }
  };
  const master = read(postmasterPid);
  if (!master) return null;
  let ticks = master.utime + master.stime + master.cutime + master.cstime;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = read(entry);
    if (s && s.ppid === postmasterPid) ticks += s.utime + s.stime;
  }
  return ticks / clockTicks;
}

/** CPU seconds used by the whole machine so far (every CPU, everything but idle and iowait). */
export function machineCpuSeconds(): number | null {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
    return busy / clockTicks;
  } catch {
    return null;
  }
}

// Every SQL statement Node sends goes through pg.Client#query (Prisma's driver adapter and pg-boss
// both use node-postgres): count them per pool, told apart by application_name.
const statementCounts: Record<string, number> = {};
let counting = false;
function installStatementCounter() {
  if (counting) return;
  counting = true;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown; connectionParameters?: { application_name?: string } };
  const original = proto.query;
  proto.query = function (this: typeof proto, ...args: unknown[]) {
    const app = this.connectionParameters?.application_name;
    const key = app === "caderninho-jobs" ? "pg-boss" : !app ? "prisma" : app.startsWith("bench-") ? "bench" : app;
    statementCounts[key] = (statementCounts[key] ?? 0) + 1;
    return original.apply(this, args);
  };
}

export interface StatementStat {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
}

export interface PhaseReport {
  label: string;
  seconds: number;
  /** CPU seconds. */
  mainThreadCpu: number;
  otherThreadsCpu: number;
  postgresCpu: number | null;
  /** CPU seconds of everything else on the machine (other people's tests, the OS): noise. */
  otherCpu: number | null;
  /** 0..1 */
  eventLoopUtilization: number;
  /** SQL statements sent by the app, per pool ("prisma", "pg-boss", or the pool's application_name). */
  statements: Record<string, number>;
  /** pg_stat_statements for this phase's database, by total execution time (null when not loaded). */
  topStatements: StatementStat[] | null;
  /** Σ execution time of every statement of the phase's database, ms. */
  statementsTotalMs: number | null;
  /** Average number of app backends in each state over the phase (e.g. "prisma: active (CPU)"). */
  backends: Record<string, number>;
  /**
   * Average number of app backends waiting on a heavyweight lock, by who waits on whom:
   * "waiting pool: statement ← blocking pool (state): statement" (pg_blocking_pids, statements cut short).
   */
  lockWaits: Record<string, number>;
  samples: number;
}

/** The noisiest phase so far: the largest share of a core other processes used during one. */
export const noise = { worstPercent: 0, phase: "" };

export interface PhaseProbe {
  stop(): Promise<PhaseReport>;
}

export function startProbe(opts: {
  label: string;
  databaseUrl: string;
  postmasterPid: number | null;
  /** URL of the database holding the pg_stat_statements view, if loaded. */
  statementStatsUrl: string | null;
  sampleMs?: number;
}): PhaseProbe {
  installStatementCounter();
  const statements0 = { ...statementCounts };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const thread0 = process.threadCpuUsage();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  const pg0 = postgresCpuSeconds(opts.postmasterPid);
  const machine0 = machineCpuSeconds();
  const counts: Record<string, number> = {};
  const lockCounts: Record<string, number> = {};
  let samples = 0;
  let stopped = false;

  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: "bench-probe" });
  const db = decodeURIComponent(new URL(opts.databaseUrl).pathname.slice(1));
  const statsClient = opts.statementStatsUrl ? new pg.Client({ connectionString: opts.statementStatsUrl, application_name: "bench-probe" }) : null;
  const statsReady = statsClient
    ? statsClient
        .connect()
        .then(() => statsClient.query("SELECT pg_stat_statements_reset()"))
        .then(() => true)
        .catch(() => false)
    : Promise.resolve(false);
  const sampling = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ app: string; state: string | null; wait: string | null; n: number }>(
        `SELECT CASE application_name WHEN 'caderninho-jobs' THEN 'pg-boss' WHEN '' THEN 'prisma' ELSE application_name END AS app,
                state, wait_event_type || ':' || wait_event AS wait, count(*)::int AS n
         FROM pg_stat_activity
         WHERE datname = $1 AND usename <> $2 AND backend_type = 'client backend'
         GROUP BY 1, 2, 3`,
        [db, MONITOR_ROLE],
      );
      samples++;
      for (const r of rows) {
        let what: string;
        if (r.state === "active") what = r.wait ? `active, waiting ${r.wait}` : "active (on CPU)";
        else if (r.state === "idle in transaction") what = "idle in transaction (waiting for Node)";
        else if (r.state === "idle") what = "idle";
        else what = r.state ?? "unknown";
        const key = `${r.app}: ${what}`;
        counts[key] = (counts[key] ?? 0) + r.n;
      }
      if (rows.some((r) => r.wait?.startsWith("Lock:"))) {
        const appName = (col: string) => `CASE ${col} WHEN 'caderninho-jobs' THEN 'pg-boss' WHEN '' THEN 'prisma' ELSE ${col} END`;
        const stmt = (col: string) => `left(regexp_replace(${col}, '\\s+', ' ', 'g'), 60)`;
        const { rows: waits } = await client.query<{ key: string; n: number }>(
          `SELECT ${appName("a.application_name")} || ': ' || ${stmt("a.query")} || ' ← ' || coalesce(${appName("b.application_name")} || ' (' || b.state || '): ' || ${stmt("b.query")}, '?') AS key, count(*)::int AS n
           FROM pg_stat_activity a LEFT JOIN LATERAL (SELECT * FROM pg_stat_activity b WHERE b.pid = (pg_blocking_pids(a.pid))[1]) b ON true
           WHERE a.datname = $1 AND a.wait_event_type = 'Lock' AND a.usename <> $2
           GROUP BY 1`,
          [db, MONITOR_ROLE],
        );
        for (const w of waits) lockCounts[w.key] = (lockCounts[w.key] ?? 0) + w.n;
      }
      await new Promise((r) => setTimeout(r, opts.sampleMs ?? 100));
    }
  })();

  return {
    async stop() {
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const thread = process.threadCpuUsage(thread0);
      const elu = performance.eventLoopUtilization(elu0);
      const pg1 = postgresCpuSeconds(opts.postmasterPid);
      const statements = Object.fromEntries(
        Object.entries(statementCounts)
          .filter(([k]) => k !== "bench")
          .map(([k, v]) => [k, v - (statements0[k] ?? 0)]),
      );
      const machine1 = machineCpuSeconds();
      stopped = true;
      await sampling.catch(() => undefined);
      await client.end().catch(() => undefined);
      let topStatements: StatementStat[] | null = null;
      let statementsTotalMs: number | null = null;
      if (statsClient && (await statsReady)) {
        try {
          const { rows } = await statsClient.query<{ query: string; calls: string; total: number; rows: string }>(
            `SELECT s.query, s.calls::text, s.total_exec_time AS total, s.rows::text
             FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
             JOIN pg_roles r ON r.oid = s.userid
             WHERE d.datname = $1 AND r.rolname <> $2
             ORDER BY s.total_exec_time DESC`,
            [db, MONITOR_ROLE],
          );
          statementsTotalMs = rows.reduce((sum, r) => sum + r.total, 0);
          topStatements = rows.slice(0, 12).map((r) => ({
            query: r.query.replace(/\s+/g, " ").trim(),
            calls: Number(r.calls),
            totalMs: r.total,
            meanMs: r.total / Math.max(1, Number(r.calls)),
            rows: Number(r.rows),
          }));
        } catch {
          // leave the figures out
        }
      }
      await statsClient?.end().catch(() => undefined);
      const mainThreadCpu = (thread.user + thread.system) / 1e6;
      const postgresCpu = pg0 === null || pg1 === null ? null : pg1 - pg0;
      const processCpu = (cpu.user + cpu.system) / 1e6;
      const otherCpu = machine0 === null || machine1 === null || postgresCpu === null ? null : Math.max(0, machine1 - machine0 - processCpu - postgresCpu);
      if (otherCpu !== null && seconds > 0.5 && (100 * otherCpu) / seconds > noise.worstPercent) {
        noise.worstPercent = (100 * otherCpu) / seconds;
        noise.phase = opts.label;
      }
      const backends = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, samples ? v / samples : 0]));
      const lockWaits = Object.fromEntries(Object.entries(lockCounts).map(([k, v]) => [k, samples ? v / samples : 0]));
      return {
        label: opts.label,
        seconds,
        mainThreadCpu,
        otherThreadsCpu: Math.max(0, processCpu - mainThreadCpu),
        postgresCpu,
        otherCpu,
        eventLoopUtilization: elu.utilization,
        statements,
        topStatements,
        statementsTotalMs,
        backends,
        lockWaits,
        samples,
      };
    },
  };
}

const pct = (cpuSeconds: number, seconds: number) => `${Math.round((100 * cpuSeconds) / seconds)} %`;

/** Markdown table: one column per phase. CPU is given in % of one core (the machine has os.cpus().length). */
export function phaseTable(reports: PhaseReport[]): string {
  const head = `| | ${reports.map((r) => r.label).join(" | ")} |\n|---|${reports.map(() => "---:").join("|")}|`;
  const row = (name: string, f: (r: PhaseReport) => string) => `| ${name} | ${reports.map(f).join(" | ")} |`;
  const keys = [...new Set(reports.flatMap((r) => Object.keys(r.backends)))].sort();
  return [
    head,
    row("wall time", (r) => `${r.seconds.toFixed(1)} s`),
    row("Node main thread CPU (% of one core)", (r) => pct(r.mainThreadCpu, r.seconds)),
    row("Node other threads CPU (sender thread, GC, libuv)", (r) => pct(r.otherThreadsCpu, r.seconds)),
    row("PostgreSQL CPU, all processes", (r) => (r.postgresCpu === null ? "?" : pct(r.postgresCpu, r.seconds))),
    row("other processes on the machine (noise)", (r) => (r.otherCpu === null ? "?" : pct(r.otherCpu, r.seconds))),
    row("SQL statements sent, by pool", (r) =>
      Object.entries(r.statements)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") || "0",
    ),
    row("PostgreSQL execution time, Σ over statements (pg_stat_statements)", (r) =>
      r.statementsTotalMs === null ? "?" : `${(r.statementsTotalMs / 1000).toFixed(1)} s`,
    ),
    row("main-thread event-loop utilisation", (r) => `${Math.round(100 * r.eventLoopUtilization)} %`),
    ...keys.map((k) => row(`avg backends — ${k}`, (r) => (r.backends[k] ?? 0).toFixed(2))),
  ].join("\n");
}

/** Markdown: who waited on whose lock (the most frequent pairs, as average backends), or "" when nobody did. */
export function lockWaitTable(r: PhaseReport, n = 8): string {
  const top = Object.entries(r.lockWaits)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
  if (!top.length) return "";
  const cell = (k: string) => `\`${k.replace(/\|/g, "\\|").replace(/`/g, "'")}\``;
  return [
    `Lock waits in ${r.label} (avg backends waiting; the statement waiting ← the first backend blocking it, from pg_blocking_pids):`,
    "",
    "| waiting ← blocking | avg backends |",
    "|---|---:|",
    ...top.map(([k, v]) => `| ${cell(k)} | ${v.toFixed(2)} |`),
  ].join("\n");
}

/** Markdown: the statements PostgreSQL spent the phase's execution time on. */
export function statementTable(r: PhaseReport, n = 8, width = 110): string {
  if (!r.topStatements?.length) return "";
  const total = r.statementsTotalMs ?? 0;
  const head = `Top SQL in ${r.label} by PostgreSQL execution time (pg_stat_statements; Σ ${(total / 1000).toFixed(1)} s over ${r.seconds.toFixed(1)} s wall):`;
  const rows = r.topStatements.slice(0, n).map((s) => {
    const q = s.query.length > width ? `${s.query.slice(0, width)}…` : s.query;
    return `| \`${q.replace(/\|/g, "\\|").replace(/`/g, "'")}\` | ${s.calls} | ${s.meanMs.toFixed(3)} ms | ${(s.totalMs / 1000).toFixed(2)} s | ${total ? ((100 * s.totalMs) / total).toFixed(0) : "?"} % |`;
  });
  return [head, "", "| statement | calls | mean | total | share |", "|---|---:|---:|---:|---:|", ...rows].join("\n");
}

/** CPU seconds (user + system) used so far by one live process, e.g. a PostgreSQL backend; null when unreadable. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / clockTicks;
  } catch {
    return null;
  }
}

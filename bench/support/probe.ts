// Where does a phase's time go? Wall time, CPU of this process (main thread vs the rest: sender
// thread, GC, libuv), the main thread's event-loop utilisation, CPU of every PostgreSQL process
// (from /proc), and what the app's PostgreSQL backends were doing, sampled from pg_stat_activity.
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import pg from "pg";

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

export interface PhaseReport {
  label: string;
  seconds: number;
  /** CPU seconds. */
  mainThreadCpu: number;
  otherThreadsCpu: number;
  postgresCpu: number | null;
  /** 0..1 */
  eventLoopUtilization: number;
  /** Average number of app backends in each state over the phase (e.g. "prisma: active (CPU)"). */
  backends: Record<string, number>;
  samples: number;
}

export interface PhaseProbe {
  stop(): Promise<PhaseReport>;
}

export function startProbe(opts: { label: string; databaseUrl: string; postmasterPid: number | null; sampleMs?: number }): PhaseProbe {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const thread0 = process.threadCpuUsage();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  const pg0 = postgresCpuSeconds(opts.postmasterPid);
  const counts: Record<string, number> = {};
  let samples = 0;
  let stopped = false;

  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: "bench-probe" });
  const sampling = (async () => {
    await client.connect();
    const db = new URL(opts.databaseUrl).pathname.slice(1);
    while (!stopped) {
      const { rows } = await client.query<{ app: string; state: string | null; wait: string | null; n: number }>(
        `SELECT CASE WHEN application_name = 'caderninho-jobs' THEN 'pg-boss' ELSE 'prisma' END AS app,
                state, wait_event_type || ':' || wait_event AS wait, count(*)::int AS n
         FROM pg_stat_activity
         WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'
         GROUP BY 1, 2, 3`,
        [decodeURIComponent(db)],
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
      stopped = true;
      await sampling.catch(() => undefined);
      await client.end().catch(() => undefined);
      const mainThreadCpu = (thread.user + thread.system) / 1e6;
      const backends = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, samples ? v / samples : 0]));
      return {
        label: opts.label,
        seconds,
        mainThreadCpu,
        otherThreadsCpu: Math.max(0, (cpu.user + cpu.system) / 1e6 - mainThreadCpu),
        postgresCpu: pg0 === null || pg1 === null ? null : pg1 - pg0,
        eventLoopUtilization: elu.utilization,
        backends,
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
    row("main-thread event-loop utilisation", (r) => `${Math.round(100 * r.eventLoopUtilization)} %`),
    ...keys.map((k) => row(`avg backends — ${k}`, (r) => (r.backends[k] ?? 0).toFixed(2))),
  ].join("\n");
}

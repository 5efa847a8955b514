// `npm run bench [-- <name filter>]`: run every bench/*.bench.ts against a private embedded
// PostgreSQL (fresh data directory under bench/.tmp/, a free port, stopped at the end even on
// errors), print a table per benchmark and write bench/results.md. See bench/README.md.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { machineFacts } from "./support/machine.ts";
import { consoleTable, markdown, type BenchOutcome } from "./support/report.ts";
import type { BenchContext, BenchModule, ResultRow } from "./support/types.ts";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, "..");
const tmpDir = path.join(benchDir, ".tmp");
const started = performance.now();
const since = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`;
const log = (message: string) => console.error(`[bench ${since()}] ${message}`);

const env = process.env;
const scale = Number(env.BENCH_SCALE ?? 1000);
const seed = Number(env.BENCH_SEED ?? 42);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 16);
const workerConcurrency = Number(env.BENCH_WORKER_CONCURRENCY ?? 4); // the app's WORKER_CONCURRENCY default
const profiling = env.BENCH_CPU_PROF === "1";
const filter = process.argv[2];
for (const [name, v] of Object.entries({ BENCH_SCALE: scale, BENCH_SEED: seed, BENCH_CONCURRENCY: concurrency, BENCH_WORKER_CONCURRENCY: workerConcurrency })) {
  if (!Number.isInteger(v) || v < (name === "BENCH_SEED" ? 0 : 1)) {
    console.error(`${name} must be a positive integer`);
    process.exit(2);
  }
}

/** The production build if it is there and newer than the sources; otherwise build it (~5 s); Vite dev if that fails. */
function ensureBuild(): boolean {
  if (env.BENCH_SERVER === "dev") return false;
  const entry = path.join(root, "build/server/index.js");
  const builtAt = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
  const newer = (p: string): boolean => {
    const full = path.join(root, p);
    if (!fs.existsSync(full)) return false;
    const st = fs.statSync(full);
    if (!st.isDirectory()) return st.mtimeMs > builtAt;
    return fs.readdirSync(full).some((f) => newer(path.join(p, f)));
  };
  const stale = !builtAt || ["app", "adapters", "vite.config.ts", "package-lock.json"].some(newer);
  if (!stale) return true;
  log(builtAt ? "production build is older than the sources: npx remix vite:build" : "no production build: npx remix vite:build");
  const t0 = performance.now();
  const r = spawnSync("npx", ["remix", "vite:build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...env, NODE_ENV: "production" } });
  if (r.status === 0 && fs.existsSync(entry)) {
    log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return true;
  }
  log("the build failed: falling back to the Vite dev server (slower, figures not comparable)");
  return false;
}

/** % of one core that other processes used over `ms` (this process is idle meanwhile). */
async function otherLoad(ms = 1000): Promise<number | null> {
  const { machineCpuSeconds } = await import("./support/probe.ts");
  const m0 = machineCpuSeconds();
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const m1 = machineCpuSeconds();
  const c = process.cpuUsage(c0);
  if (m0 === null || m1 === null) return null;
  return (100 * Math.max(0, m1 - m0 - (c.user + c.system) / 1e6)) / (ms / 1000);
}

/** Benchmarks on a shared machine: say how busy it was, and optionally wait for it to calm down (BENCH_WAIT_QUIET=seconds). */
async function waitQuiet(): Promise<string> {
  const maxWait = Number(env.BENCH_WAIT_QUIET ?? 0);
  const deadline = Date.now() + maxWait * 1000;
  let load = await otherLoad();
  while (load !== null && load > 15 && Date.now() < deadline) {
    log(`other processes use ${Math.round(load)} % of a core: waiting for a quieter machine (BENCH_WAIT_QUIET=${maxWait})`);
    await new Promise((r) => setTimeout(r, 4000));
    load = await otherLoad();
  }
  return load === null ? "unknown" : `${Math.round(load)} % of one core`;
}

async function main(): Promise<number> {
  fs.mkdirSync(tmpDir, { recursive: true });
  const files = fs
    .readdirSync(benchDir)
    .filter((f) => f.endsWith(".bench.ts") && (!filter || f.includes(filter)))
    .sort();
  if (!files.length) {
    console.error(`no bench/*.bench.ts matches ${JSON.stringify(filter)}`);
    return 2;
  }
  const production = ensureBuild();
  if (production) env.NODE_ENV = "production";
  const loadBefore = await waitQuiet();
  log(`other processes before the run: ${loadBefore}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  // App modules are imported only now, after NODE_ENV is settled.
  const { startBenchPostgres } = await import("./support/postgres.ts");
  const { appFactory, LogSink } = await import("./support/app.ts");
  const { startProbe, noise } = await import("./support/probe.ts");
  const { withCpuProfile } = await import("./support/profile.ts");

  const logFile = path.join(tmpDir, "app.log");
  fs.rmSync(logFile, { force: true });
  const logSink = new LogSink(logFile);
  const pg = await startBenchPostgres(tmpDir, log);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping PostgreSQL`);
    void pg.stop().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const outcomes: BenchOutcome[] = [];
  try {
    const startApp = appFactory({ pg, tmpDir, production, workerConcurrency, logSink });
    for (const file of files) {
      const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as BenchModule;
      const outcome: BenchOutcome = { file, title: mod.title ?? file, description: mod.description ?? "", rows: [], details: [], seconds: 0 };
      outcomes.push(outcome);
      log(`${file}: ${outcome.title}`);
      const errorsBefore = logSink.errors;
      const ctx: BenchContext = {
        scale,
        seed,
        concurrency,
        workerConcurrency,
        cores: os.cpus().length,
        production,
        profiling,
        startApp,
        probe: (app, label) =>
          startProbe({
            label,
            databaseUrl: pg.asMonitor(app.databaseUrl),
            postmasterPid: pg.postmasterPid,
            statementStatsUrl: pg.statementStats ? pg.asMonitor(pg.url) : null,
          }),
        detail: (md) => void outcome.details.push(md),
        log: (m) => log(`  ${m}`),
        async profile(label, fn) {
          if (!profiling) return fn();
          const file = path.join(tmpDir, `${path.basename(outcome.file, ".bench.ts")}-${label}.cpuprofile`);
          const { result, summary } = await withCpuProfile(file, fn);
          outcome.details.push(`CPU profile of "${label}" (BENCH_CPU_PROF=1, \`${path.relative(root, file)}\`):\n\n${summary}`);
          return result;
        },
      };
      const t0 = performance.now();
      try {
        outcome.rows = await mod.run(ctx);
      } catch (e) {
        outcome.error = e instanceof Error ? e.message : String(e);
        log(`${file} broke: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        outcome.rows.push({ metric: "benchmark run", measured: "did not finish", verdict: "FAILED", note: outcome.error });
      }
      outcome.seconds = (performance.now() - t0) / 1000;
      const errors = logSink.errors - errorsBefore;
      if (errors) outcome.details.push(`The app logged ${errors} error lines during this benchmark (see \`bench/.tmp/app.log\`); last: \`${logSink.lastError}\``);
    }
  } finally {
    log("stopping PostgreSQL");
    await pg.stop();
    logSink.close();
  }

  for (const o of outcomes) console.log(consoleTable(o));
  const noiseWarning =
    noise.worstPercent > 25
      ? `Noisy run: other processes used up to ${Math.round(noise.worstPercent)} % of a core (in "${noise.phase}") on this ${os.cpus().length}-core machine; ` +
        "figures are lower than on a quiet machine and not comparable with quiet runs (per-phase noise in the details)."
      : null;
  if (noiseWarning) console.log(`\n${noiseWarning}`);
  const totalSeconds = (performance.now() - started) / 1000;
  const md = markdown(
    {
      date: new Date(),
      machine: machineFacts(),
      postgres: { version: pg.version, settings: pg.settings },
      settings: {
        BENCH_SCALE: String(scale),
        BENCH_SEED: String(seed),
        BENCH_CONCURRENCY: String(concurrency),
        WORKER_CONCURRENCY: String(workerConcurrency),
        server: production ? "production build (build/server)" : "Vite dev server",
        "CPU used by other processes just before the run": loadBefore,
        ...(filter ? { filter } : {}),
        ...(profiling ? { BENCH_CPU_PROF: "1 (figures include profiler overhead)" } : {}),
      },
      totalSeconds,
      warning: noiseWarning,
    },
    outcomes,
  );
  // A partial or profiled run must not overwrite the committed results.
  const out = filter || profiling ? path.join(tmpDir, "results.md") : path.join(benchDir, "results.md");
  fs.writeFileSync(out, md);
  console.log(`\nwrote ${path.relative(process.cwd(), out)} (${totalSeconds.toFixed(0)} s in all)`);
  const failed = outcomes.flatMap((o) => o.rows).filter((r: ResultRow) => r.verdict === "FAILED");
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);

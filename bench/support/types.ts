// The contract between bench/run.ts and every bench/*.bench.ts file.
import type { Services } from "../../app/server/services.server.ts";
import type { RunningHttp } from "../../app/server/http.server.ts";
import type { PhaseProbe } from "./probe.ts";

/** pass/fail: measured against the design target. FAILED: the result was wrong (or the run broke). */
export type Verdict = "pass" | "fail" | "FAILED" | "ok" | "n/a yet" | "info";

export interface ResultRow {
  metric: string;
  /** Human-readable measured figure, e.g. "812 deliveries/s". */
  measured: string;
  /** The reference alternative measured in the same run, if any. */
  reference?: string;
  /** The target from the design, if any. */
  target?: string;
  verdict: Verdict;
  note?: string;
  /** The raw number behind `measured` (for machines; not printed). */
  value?: number | null;
}

export interface BenchApp {
  services: Services;
  http: RunningHttp | null;
  /** Connection URL of this app's database. */
  databaseUrl: string;
  /** A plain pg query on the same database, outside the app's pools (monitoring must not steal app connections). */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  startWorkers(): Promise<void>;
  /** Stop HTTP, workers, pools; drop the database. */
  close(): Promise<void>;
}

export interface BenchContext {
  /** Simulated store size in customers (env BENCH_SCALE). */
  scale: number;
  seed: number;
  /** Concurrency of the webhook sender (Shopify-like). */
  concurrency: number;
  /** Worker concurrency handed to the app's config (the product default unless BENCH_WORKER_CONCURRENCY). */
  workerConcurrency: number;
  /** os.cpus().length */
  cores: number;
  /** True when the HTTP server runs the production build, false for Vite dev. */
  production: boolean;
  /** Fresh database (migrated by startServices) + the real services, optionally the real HTTP server and workers. */
  /** workers: true = inside the app's process, "child" = a child process as `npm start` runs them. */
  /** env: extra configuration variables for this app (e.g. TRUST_PROXY). */
  startApp(label: string, opts: { http: boolean; workers: boolean | "child"; env?: Record<string, string> }): Promise<BenchApp>;
  /** Start measuring CPU of this process and of PostgreSQL, event-loop use and backend states. */
  probe(app: BenchApp, label: string): PhaseProbe;
  /** Add a paragraph or a markdown block to this benchmark's details section. */
  detail(markdown: string): void;
  log(message: string): void;
  /** True when BENCH_CPU_PROF=1: benchmarks may wrap a phase in ctx.profile(). */
  profiling: boolean;
  profile<T>(label: string, fn: () => Promise<T>): Promise<T>;
}

export interface BenchModule {
  title: string;
  description: string;
  run(ctx: BenchContext): Promise<ResultRow[]>;
}

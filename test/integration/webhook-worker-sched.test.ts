// WORKER_SCHED=idle (app/server/deprioritize.server.ts): the worker child as npm start runs it puts
// its own threads and the PostgreSQL backends of its connections in SCHED_IDLE (on top of the
// niceness), and leaves every other backend alone. Checked on the real child process and a real
// PostgreSQL, reading each process's scheduling policy from /proc.
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKER_APPLICATION_NAME, workerSchedFrom } from "../../app/server/deprioritize.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import { spawnWorker } from "../support/fault-worker.ts";

const SCHED_IDLE = 5;

/** Scheduling policy of a process or thread (field 41 of /proc/<pid>/stat). */
function policyOf(pid: number, tid = pid): number {
  const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[38]);
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe("WORKER_SCHED", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("reads idle, and anything else as nice", () => {
    expect(workerSchedFrom({ WORKER_SCHED: "idle" })).toBe("idle");
    expect(workerSchedFrom({ WORKER_SCHED: "fast" })).toBe("nice");
    expect(workerSchedFrom({})).toBe("nice");
  });

  it("idle: the worker child's threads and backends run SCHED_IDLE, the others' backends do not", async (ctx) => {
    const u = new URL(testDb.url);
    if (process.platform !== "linux" || !["127.0.0.1", "localhost"].includes(u.hostname) || spawnSync("chrt", ["--version"]).status !== 0) {
      console.log("skipped: needs Linux, chrt and a PostgreSQL on this machine");
      ctx.skip();
    }
    u.searchParams.set("application_name", WORKER_APPLICATION_NAME);
    const worker = spawnWorker(u.toString(), { WORKER_CHILD: "1", WORKER_SCHED: "idle" });
    const monitor = new pg.Client({ connectionString: testDb.url, application_name: "test-monitor" });
    await monitor.connect();
    try {
      await worker.ready;
      const backends = async () =>
        (await monitor.query<{ pid: number; app: string }>(`SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`)).rows;
      const workerPolicies = async () => (await backends()).filter((b) => b.app === WORKER_APPLICATION_NAME).map((b) => policyOf(b.pid));
      const deadline = Date.now() + 10_000;
      let policies = await workerPolicies();
      while ((policies.length < 2 || policies.some((p) => p !== SCHED_IDLE)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        policies = await workerPolicies();
      }
      expect(policies.length).toBeGreaterThanOrEqual(2);
      expect(new Set(policies)).toEqual(new Set([SCHED_IDLE]));
      const others = (await backends()).filter((b) => b.app !== WORKER_APPLICATION_NAME);
      expect(others.length).toBeGreaterThan(0);
      for (const b of others) expect(policyOf(b.pid), `backend of ${b.app}`).not.toBe(SCHED_IDLE);
      // The worker's own threads (main, V8 helpers, libuv pool): the node process tsx started for it.
      const node = childrenOf(worker.pid)[0] ?? worker.pid;
      const tids = fs.readdirSync(`/proc/${node}/task`).map(Number);
      expect(tids.length).toBeGreaterThan(1);
      expect(tids.filter((t) => policyOf(node, t) !== SCHED_IDLE)).toEqual([]);
    } finally {
      await monitor.end();
      await worker.stop();
    }
  });
});

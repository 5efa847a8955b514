// The worker child gives way to the web process (app/server/deprioritize.server.ts): its threads
// and the PostgreSQL backends of its own connections end at the worker niceness; the web
// process's backends are left alone.
import os from "node:os";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../app/db/client.server.ts";
import { createLogger } from "../../app/logger.server.ts";
import { deprioritizeWorker, WORKER_APPLICATION_NAME } from "../../app/server/deprioritize.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import { spawnWorker } from "../support/fault-worker.ts";
import { WORKER_NICENESS } from "../../app/server/deprioritize.server.ts";

const backendPid = async (c: pg.Client) => (await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;

describe("worker priority", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("lowers the worker's own PostgreSQL backends, not the web process's", async (ctx) => {
    const u = new URL(testDb.url);
    if (process.platform !== "linux" || !["127.0.0.1", "localhost"].includes(u.hostname)) {
      console.log("skipped: needs a PostgreSQL on this Linux machine");
      ctx.skip();
    }
    u.searchParams.set("application_name", WORKER_APPLICATION_NAME);
    const workerDb = createDb(u.toString());
    const worker = new pg.Client({ connectionString: u.toString() });
    const web = new pg.Client({ connectionString: testDb.url, application_name: "caderninho-web" });
    await worker.connect();
    await web.connect();
    let stop = () => {};
    try {
      const workerPid = await backendPid(worker);
      const webPid = await backendPid(web);
      const webBefore = os.getPriority(webPid);
      const log = createLogger("silent");
      const lowest = Math.min(19, Math.max(os.getPriority(workerPid), webBefore) + 5);
      stop = deprioritizeWorker({ db: workerDb, databaseUrl: u.toString(), niceness: lowest, log, everyMs: 50 });
      const deadline = Date.now() + 5000;
      while (os.getPriority(workerPid) !== lowest && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(os.getPriority(workerPid)).toBe(lowest);
      expect(os.getPriority(webPid)).toBe(webBefore);
      // A connection opened later is found on a later pass: the pool's own, and the rescoring
      // thread's (named "<worker>-rescore"), which are the worker's too.
      const lateConnectionIsLowered = async (applicationName: string) => {
        const url = new URL(u.toString());
        url.searchParams.set("application_name", applicationName);
        const late = new pg.Client({ connectionString: url.toString() });
        await late.connect();
        try {
          const latePid = await backendPid(late);
          const until = Date.now() + 10_000;
          while (os.getPriority(latePid) !== lowest && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
          expect(os.getPriority(latePid), applicationName).toBe(lowest);
        } finally {
          await late.end();
        }
      };
      await lateConnectionIsLowered(WORKER_APPLICATION_NAME);
      await lateConnectionIsLowered(`${WORKER_APPLICATION_NAME}-rescore`);
    } finally {
      stop();
      await worker.end();
      await web.end();
      await workerDb.$disconnect();
    }
  });

  it("the worker child as npm start runs it: its backends end at the worker niceness", async (ctx) => {
    const u = new URL(testDb.url);
    if (process.platform !== "linux" || !["127.0.0.1", "localhost"].includes(u.hostname)) {
      console.log("skipped: needs a PostgreSQL on this Linux machine");
      ctx.skip();
    }
    u.searchParams.set("application_name", WORKER_APPLICATION_NAME);
    const worker = spawnWorker(u.toString(), { WORKER_CHILD: "1" });
    const monitor = new pg.Client({ connectionString: testDb.url, application_name: "test-monitor" });
    await monitor.connect();
    try {
      await worker.ready;
      const niceOf = async () => {
        const { rows } = await monitor.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [WORKER_APPLICATION_NAME]);
        return rows.map((r) => os.getPriority(r.pid));
      };
      const deadline = Date.now() + 10_000;
      let nice = await niceOf();
      while ((nice.length === 0 || nice.some((n) => n !== WORKER_NICENESS)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        nice = await niceOf();
      }
      // Prisma's pool and pg-boss's both connect under the worker's name.
      expect(nice.length).toBeGreaterThanOrEqual(2);
      expect(new Set(nice)).toEqual(new Set([WORKER_NICENESS]));
    } finally {
      await monitor.end();
      await worker.stop();
    }
  });
});

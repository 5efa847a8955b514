// Developer helper: run a Prisma CLI command against the embedded PostgreSQL (or DATABASE_URL),
// e.g. `npm run db:migrate:dev -- --name add_flows`. Starts and stops the server around it.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { loadConfig } from "../config.server";
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from "../db/embedded-postgres.server";

const config = loadConfig();
const pgServer = config.DATABASE_URL
  ? null
  : await startEmbeddedPostgres({ dataDir: `${config.DATA_DIR}/pg`, port: config.EMBEDDED_PG_PORT });
const url = config.DATABASE_URL ?? withDatabase(pgServer!.url, "caderninho");
await ensureDatabase(url);
const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const res = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env: { ...process.env, DATABASE_URL: url } });
await pgServer?.stop();
process.exit(res.status ?? 1);

// Apply committed Prisma migrations with Prisma's own CLI (`prisma migrate deploy`), run on the
// same Node binary as this process. prisma.config.ts makes the CLI work without any download.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ensureDatabase } from "./embedded-postgres.server";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export async function applyMigrations(databaseUrl: string): Promise<void> {
  await ensureDatabase(databaseUrl);
  const cli = require.resolve("prisma/build/index.js");
  // Two levels up from app/db/ (source) and from build/server/ (built): the project root.
  const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
  try {
    await run(process.execPath, [cli, "migrate", "deploy"], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
      maxBuffer: 10 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`prisma migrate deploy failed:\n${err.stdout ?? ""}${err.stderr ?? err.message}`);
  }
}

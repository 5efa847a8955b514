// A fresh, migrated database for one test file, cloned from the template the global setup made.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import pg from "pg";
import { ensureDatabase, withDatabase } from "../../app/db/embedded-postgres.server.ts";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { TEMPLATE_DB } from "./global-postgres.ts";

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const server = inject("pgServerUrl");
  const name = `caderninho_test_${randomBytes(6).toString("hex")}`;
  const url = withDatabase(server, name);
  await ensureDatabase(url, { template: TEMPLATE_DB });
  const db = createDb(url, { max: 5 });
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

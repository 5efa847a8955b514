// The app's real services (Prisma, pg-boss, config, secrets) on a fresh test database, and
// optionally the real HTTP server, for integration tests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../app/config.server.ts";
import { startServices, type Services } from "../../app/server/services.server.ts";
import { createLogger } from "../../app/logger.server.ts";
import { createTestDatabase, type TestDatabase } from "./test-db.ts";

export interface TestServices extends Services {
  testDb: TestDatabase;
  cleanup(): Promise<void>;
}

export async function startTestServices(env: Record<string, string> = {}): Promise<TestServices> {
  const testDb = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "caderninho-test-"));
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: testDb.url,
    DATA_DIR: dataDir,
    ADMIN_PASSWORD: "test-password-123",
    LOG_LEVEL: "silent",
    ...env,
  });
  const services = await startServices(config, { log: createLogger("silent"), skipMigrations: true, schedule: false });
  return {
    ...services,
    testDb,
    async cleanup() {
      await services.stop();
      await testDb.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

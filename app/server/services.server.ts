// The long-lived parts of a running caderninho (database, job queue, secrets, logger), created
// once per process and handed to Remix loaders through the load context. Tests create the same
// object against their own database.
import { randomBytes } from "node:crypto";
import type { Config } from "#app/config.server.ts";
import { createDb, type Db } from "#app/db/client.server.ts";
import { startEmbeddedPostgres, withDatabase, type RunningPostgres } from "#app/db/embedded-postgres.server.ts";
import { applyMigrations } from "#app/db/migrate.server.ts";
import { startBoss, type Boss } from "#app/jobs/boss.server.ts";
import { createLogger, type Logger } from "#app/logger.server.ts";
import { loadLocalSecrets } from "./local-secrets.server";

export interface Services {
  config: Config;
  log: Logger;
  db: Db;
  boss: Boss;
  databaseUrl: string;
  secrets: {
    sessionSecret: string;
    encryptionKey: string;
    encryptionKeyOld: string | null;
    /** Secret Shopify webhooks are signed with: the app secret, or the demo secret standalone. */
    shopifyWebhookSecret: string;
    /** Standalone admin password: ADMIN_PASSWORD, or one generated for this run and printed. */
    adminPassword: string;
    adminPasswordGenerated: boolean;
  };
  stop(): Promise<void>;
}

export async function startServices(config: Config, opts: { log?: Logger; schedule?: boolean; skipMigrations?: boolean } = {}): Promise<Services> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  let pg: RunningPostgres | null = null;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const dataDir = `${config.DATA_DIR}/pg`;
    log.info({ dataDir, port: config.EMBEDDED_PG_PORT }, "starting embedded PostgreSQL");
    pg = await startEmbeddedPostgres({ dataDir, port: config.EMBEDDED_PG_PORT, log: (l) => log.debug({ postgres: l }) });
    databaseUrl = withDatabase(pg.url, "caderninho");
  }
  try {
    if (!opts.skipMigrations) {
      const t0 = Date.now();
      await applyMigrations(databaseUrl);
      log.info({ ms: Date.now() - t0 }, "database migrations applied");
    }
    const local = loadLocalSecrets(config.DATA_DIR);
    const db = createDb(databaseUrl, { onError: (err) => log.warn({ err: err.message }, "database connection lost; reconnecting") });
    const boss = await startBoss(databaseUrl, log, { schedule: opts.schedule });
    let stopping: Promise<void> | null = null;
    return {
      config,
      log,
      db,
      boss,
      databaseUrl,
      secrets: {
        sessionSecret: config.SESSION_SECRET ?? local.sessionSecret,
        encryptionKey: config.ENCRYPTION_KEY ?? local.encryptionKey,
        encryptionKeyOld: config.ENCRYPTION_KEY_OLD ?? null,
        shopifyWebhookSecret: config.SHOPIFY_API_SECRET ?? local.demoWebhookSecret,
        adminPassword: config.ADMIN_PASSWORD ?? randomBytes(9).toString("base64url"),
        adminPasswordGenerated: !config.ADMIN_PASSWORD,
      },
      stop() {
        // Drain in-flight jobs (graceful) before the database goes away.
        stopping ??= (async () => {
          const { flushWebhookEnqueues } = await import("#app/jobs/webhook-intake.server.ts");
          await flushWebhookEnqueues({ boss, log });
          await boss.stop({ graceful: true, close: true, timeout: 30_000 });
          await db.$disconnect();
          await pg?.stop();
        })();
        return stopping;
      },
    };
  } catch (e) {
    await pg?.stop();
    throw e;
  }
}

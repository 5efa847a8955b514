// pg-boss on the app's own PostgreSQL (schema `pgboss`). Creating a boss never starts workers:
// the web process and `npm run worker` decide that (see app/jobs/worker.server.ts).
import { PgBoss } from "pg-boss";
import type { Logger } from "#app/logger.server.ts";
import { QUEUE_OPTIONS, type QueueName } from "./queues";

export type Boss = PgBoss;

export async function startBoss(databaseUrl: string, log: Logger, opts: { schedule?: boolean } = {}): Promise<Boss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: "pgboss",
    max: 10,
    useListenNotify: true,
    schedule: opts.schedule ?? true,
    // The worker child names its connections on its URL (app/server/deprioritize.server.ts).
    application_name: new URL(databaseUrl).searchParams.get("application_name") ?? "caderninho-jobs",
  });
  boss.on("error", (err: unknown) => log.error({ err }, "job queue error"));
  await boss.start();
  // Dead-letter queues must exist before the queues that point at them.
  const names = Object.keys(QUEUE_OPTIONS) as QueueName[];
  const ordered = [...names.filter((n) => !QUEUE_OPTIONS[n].deadLetter), ...names.filter((n) => QUEUE_OPTIONS[n].deadLetter)];
  for (const name of ordered) {
    const existing = await boss.getQueue(name);
    if (!existing) await boss.createQueue(name, QUEUE_OPTIONS[name]);
    else {
      // Options changed in queues.ts reach queues created by an earlier version (all but the
      // policy, which pg-boss fixes at creation).
      const { policy: _policy, ...options } = QUEUE_OPTIONS[name];
      await boss.updateQueue(name, options);
    }
  }
  return boss;
}

// The fast half of receiving a webhook: store the raw delivery once (deduplicated on the
// platform's delivery id) and enqueue it. The slow half runs in the worker
// (webhook-process.server.ts). A crash between the two steps is healed by the sweep job.
import { Prisma } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { QUEUES, type WebhookJob } from "./queues";

export interface IncomingWebhook {
  storeId: number;
  platform: "shopify" | "woocommerce";
  topic: string;
  dedupeKey: string;
  resourceId: string | null;
  triggeredAt: Date | null;
  body: string;
}

export async function receiveWebhook(services: Pick<Services, "db" | "boss">, w: IncomingWebhook): Promise<{ duplicate: boolean }> {
  const rows = await services.db.$queryRaw<{ id: bigint }[]>(Prisma.sql`
    INSERT INTO "WebhookReceipt" ("storeId", platform, topic, "dedupeKey", "resourceId", "triggeredAt", body)
    VALUES (${w.storeId}, ${w.platform}::"Platform", ${w.topic}, ${w.dedupeKey}, ${w.resourceId}, ${w.triggeredAt}, ${w.body})
    ON CONFLICT ("storeId", "dedupeKey") DO NOTHING
    RETURNING id`);
  const id = rows[0]?.id;
  if (id === undefined) return { duplicate: true };
  const job: WebhookJob = { storeId: w.storeId, receiptId: id.toString() };
  await services.boss.send(QUEUES.webhookProcess, job);
  return { duplicate: false };
}

/** Enqueue receipts stored more than `olderThanSeconds` ago that nothing processed. */
export async function sweepStrandedReceipts(services: Pick<Services, "db" | "boss">, olderThanSeconds = 300): Promise<number> {
  const stranded = await services.db.$queryRaw<{ storeId: number; id: bigint }[]>(Prisma.sql`
    SELECT "storeId", id FROM "WebhookReceipt"
    WHERE status = 'received' AND "receivedAt" < now() - make_interval(secs => ${olderThanSeconds})
    ORDER BY "receivedAt" LIMIT 10000`);
  if (stranded.length === 0) return 0;
  await services.boss.insert(
    QUEUES.webhookProcess,
    stranded.map((r) => ({ data: { storeId: r.storeId, receiptId: r.id.toString() } satisfies WebhookJob, singletonKey: `receipt:${r.storeId}:${r.id}` })),
  );
  return stranded.length;
}

// Entry of the rescoring thread (rescore-thread.server.ts): rescore one store on its own pool and
// post a summary back.
import { parentPort, workerData } from "node:worker_threads";
import { createDb } from "#app/db/client.server.ts";
import { rescoreStore } from "#app/core/analytics/rescore-store.server.ts";
import type { RescoreSummary } from "./rescore-thread.server.ts";

const { databaseUrl, storeId } = workerData as { databaseUrl: string; storeId: number };
// Its connections named apart from the webhook batches' (same worker prefix, so deprioritized alike):
// the load bench then shows what the rescoring's backends do and cost on their own rows.
const url = new URL(databaseUrl);
const app = url.searchParams.get("application_name");
if (app) url.searchParams.set("application_name", `${app}-rescore`);
const db = createDb(url.toString(), { max: 3 });
try {
  const result = await rescoreStore(db, storeId);
  const summary: RescoreSummary = {
    customers: result.rfm.customers,
    changed: result.rfm.changed,
    clusters: result.clusters.model?.k ?? null,
    skipped: [result.predictions.skipped, result.clusters.skipped].filter((s): s is NonNullable<typeof s> => Boolean(s)).map(String),
    seconds: result.seconds,
  };
  parentPort!.postMessage({ ok: true, summary });
} catch (e) {
  parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
} finally {
  await db.$disconnect();
}

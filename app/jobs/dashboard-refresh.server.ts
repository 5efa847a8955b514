// Hourly: recount the days marked dirty for every store. The dashboard recounts marked days when
// it is opened; a store whose dashboard nobody opens would otherwise pile up one mark per write
// statement (every webhook batch) for as long as it stays unopened.
import type { Services } from "#app/server/services.server.ts";
import { refreshDailyStats } from "#app/core/dashboard/daily.server.ts";

export async function refreshAllDailyStats(services: Pick<Services, "db" | "log">): Promise<{ stores: number; days: number }> {
  const { db, log } = services;
  // One index probe per store (loose index scan over the marks' primary key), not a full read.
  const stores = await db.$queryRaw<{ storeId: number }[]>`
    WITH RECURSIVE s AS (
      (SELECT "storeId" FROM "DashboardDirtyDay" ORDER BY "storeId" LIMIT 1)
      UNION ALL
      SELECT (SELECT "storeId" FROM "DashboardDirtyDay" WHERE "storeId" > s."storeId" ORDER BY "storeId" LIMIT 1) FROM s WHERE s."storeId" IS NOT NULL)
    SELECT "storeId" FROM s WHERE "storeId" IS NOT NULL`;
  let days = 0;
  for (const { storeId } of stores) {
    try {
      days += await refreshDailyStats(db, storeId);
    } catch (err) {
      // One store's failure (deleted meanwhile, say) must not keep the others' marks piling up.
      log.error({ err, storeId }, "dashboard daily totals refresh failed");
    }
  }
  if (stores.length) log.info({ stores: stores.length, days }, "dashboard daily totals refreshed");
  return { stores: stores.length, days };
}

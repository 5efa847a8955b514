// The REST API's rate limit, shared by every web process: a token bucket per API token kept in
// PostgreSQL ("ApiRateBucket"). One statement per request: the upsert locks the token's row,
// refills it for the time since its last request (capped at the burst) and takes one token if
// there is one, so two processes (or two pools) can never let more through than one would.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";

export interface ApiRateLimit {
  perMinute: number;
  burst: number;
}

/** True when the request may go ahead; false when it should be answered 429. */
export async function takeApiRequest(db: Db, principal: { storeId: number; tokenId: number }, limit: ApiRateLimit): Promise<boolean> {
  const perSecond = limit.perMinute / 60;
  const burst = limit.burst;
  // The refilled level, from the row as it was and the request's own clock.
  const refilled = Prisma.sql`least(${burst}::float8, b.tokens + greatest(0, extract(epoch FROM (excluded."updatedAt" - b."updatedAt"))) * ${perSecond}::float8)`;
  const rows = await db.$queryRaw<{ allowed: boolean }[]>(Prisma.sql`
    INSERT INTO "ApiRateBucket" AS b ("storeId", "tokenId", tokens, allowed, "updatedAt")
    VALUES (${principal.storeId}, ${principal.tokenId}, ${burst - 1}::float8, ${burst >= 1}, clock_timestamp() AT TIME ZONE 'UTC')
    ON CONFLICT ("storeId", "tokenId") DO UPDATE SET
      tokens = CASE WHEN ${refilled} >= 1 THEN ${refilled} - 1 ELSE ${refilled} END,
      allowed = ${refilled} >= 1,
      "updatedAt" = excluded."updatedAt"
    RETURNING allowed`);
  return rows[0]!.allowed;
}

// Per-store BG/NBD + Gamma-Gamma fit from the kept customer stats, then per customer: P(alive),
// churn risk (P(no purchase in the next 90 days)), predicted 12-month value and the median date of
// the next order. Time is in weeks of store-local calendar days; a purchase is a day with counted
// orders (as in the CDNOW validation), its value the day's net revenue.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { localDate, utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { expectedPurchases, fitBgNbd, medianTimeToNextPurchase, probabilityAlive, probabilityNoPurchase, type BgNbdFit } from "./bgnbd.ts";
import { expectedOrderValue, fitGammaGamma, type GammaGammaFit } from "./gamma-gamma.ts";

/** Horizon of the predicted customer lifetime value. */
export const CLV_WEEKS = 365.25 / 7;
/** Churn risk = P(no purchase within this many days). */
export const CHURN_DAYS = 90;
const PAGE = 20_000;

export interface PredictionResult {
  customers: number;
  bgnbd: BgNbdFit | null;
  gammaGamma: GammaGammaFit | null;
  /** Why a model was not fitted (too little data), or null. */
  skipped: string | null;
  /** Seconds spent fitting both models (the rest is the per-customer pass). */
  fitSeconds: number;
}

const asOfLocal = (asOf: Date, tz: string) => Prisma.sql`((${asOf.toISOString()}::timestamptz AT TIME ZONE ${tz}::text)::date)`;

async function fitModels(db: Db, storeId: number, tz: string, asOf: Date): Promise<{ bgnbd: BgNbdFit | null; gammaGamma: GammaGammaFit | null; skipped: string | null }> {
  const first = localDate(Prisma.sql`"firstOrderAt"`, Prisma.sql`${tz}::text`);
  const last = localDate(Prisma.sql`"lastOrderAt"`, Prisma.sql`${tz}::text`);
  // Sufficient statistics, grouped: a store of a million customers is a few ten thousand rows.
  const rows = await db.$queryRaw<{ x: number; tx: number; t: number; n: number }[]>`
    SELECT "purchaseDays" - 1 AS x, (${last} - ${first}) AS tx, (${asOfLocal(asOf, tz)} - ${first}) AS t, count(*)::int AS n
    FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "purchaseDays" > 0 AND "lastOrderAt" <= ${utcTimestamp(asOf)}
    GROUP BY 1, 2, 3`;
  let bgnbd: BgNbdFit | null = null;
  let skipped: string | null = null;
  try {
    bgnbd = fitBgNbd({ x: rows.map((r) => r.x), tx: rows.map((r) => r.tx / 7), T: rows.map((r) => r.t / 7), count: rows.map((r) => r.n) });
  } catch (e) {
    skipped = `BG/NBD not fitted: ${e instanceof Error ? e.message : String(e)}`;
  }
  const spend = await db.$queryRaw<{ x: number; m: number; n: number }[]>`
    SELECT "purchaseDays" AS x, "revenueMinor"::float8 / "purchaseDays" AS m, count(*)::int AS n
    FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "purchaseDays" >= 2 AND "revenueMinor" > 0
    GROUP BY "purchaseDays", "revenueMinor"`;
  let gammaGamma: GammaGammaFit | null = null;
  try {
    gammaGamma = fitGammaGamma({ x: spend.map((r) => r.x), m: spend.map((r) => r.m), count: spend.map((r) => r.n) });
    if (!(gammaGamma.q > 1)) throw new Error(`q = ${gammaGamma.q.toFixed(3)} ≤ 1 (spend too heavy-tailed for a finite mean)`);
  } catch (e) {
    gammaGamma = null;
    skipped = [skipped, `Gamma-Gamma not fitted (customer's own average used): ${e instanceof Error ? e.message : String(e)}`].filter(Boolean).join("; ");
  }
  return { bgnbd, gammaGamma, skipped };
}

/**
 * Fit both models on the store and write pAlive, churnRisk, predictedClvMinor and
 * predictedNextOrderAt for every customer with orders (null for the others, and for everyone when
 * the store has too little history to fit: fewer than 2 customers or no repeat purchase).
 */
export async function rescorePredictions(db: Db, storeId: number, asOf = new Date()): Promise<PredictionResult> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { timezone: true } });
  const tz = store.timezone;
  const fitStarted = performance.now();
  const { bgnbd, gammaGamma, skipped } = await fitModels(db, storeId, tz, asOf);
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  if (!bgnbd) {
    await db.$executeRaw`UPDATE "CustomerStats" SET "pAlive" = NULL, "churnRisk" = NULL, "predictedClvMinor" = NULL, "predictedNextOrderAt" = NULL
      WHERE "storeId" = ${storeId} AND ("pAlive" IS NOT NULL OR "predictedClvMinor" IS NOT NULL)`;
    return { customers: 0, bgnbd, gammaGamma, skipped, fitSeconds };
  }
  const first = localDate(Prisma.sql`"firstOrderAt"`, Prisma.sql`${tz}::text`);
  const last = localDate(Prisma.sql`"lastOrderAt"`, Prisma.sql`${tz}::text`);
  const purchases = new Map<string, number>(); // E[Y(12 months)] per (x, tₓ, T): many customers share one
  let customers = 0;
  let after = 0;
  try {
    for (;;) {
      const page = await db.$queryRaw<{ id: number; days: number; tx: number; t: number; revenue: bigint }[]>`
        SELECT "customerId" AS id, "purchaseDays" AS days, (${last} - ${first}) AS tx, (${asOfLocal(asOf, tz)} - ${first}) AS t, "revenueMinor" AS revenue
        FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "customerId" > ${after} AND "purchaseDays" > 0 AND "lastOrderAt" <= ${utcTimestamp(asOf)}
        ORDER BY "customerId" LIMIT ${PAGE}`;
      if (!page.length) break;
      const ids: number[] = [];
      const alive: number[] = [];
      const churn: number[] = [];
      const clv: bigint[] = [];
      const next: string[] = [];
      for (const c of page) {
        const x = c.days - 1;
        const tx = c.tx / 7;
        const T = c.t / 7;
        const key = `${x}|${c.tx}|${c.t}`;
        let y = purchases.get(key);
        if (y === undefined) purchases.set(key, (y = expectedPurchases(bgnbd, CLV_WEEKS, x, tx, T)));
        const ownAverage = Number(c.revenue) / c.days;
        const value = gammaGamma ? expectedOrderValue(gammaGamma, c.days, Math.max(0, ownAverage)) : Math.max(0, ownAverage);
        ids.push(c.id);
        alive.push(probabilityAlive(bgnbd, x, tx, T));
        churn.push(probabilityNoPurchase(bgnbd, CHURN_DAYS / 7, x, tx, T));
        clv.push(BigInt(Math.round(y * value)));
        next.push(new Date(asOf.getTime() + medianTimeToNextPurchase(bgnbd, x, T) * 7 * 86_400_000).toISOString());
      }
      await db.$executeRaw`
        UPDATE "CustomerStats" cs SET "pAlive" = u.alive, "churnRisk" = u.churn, "predictedClvMinor" = u.clv, "predictedNextOrderAt" = u.next AT TIME ZONE 'UTC'
        FROM unnest(${ids}::int[], ${alive}::float8[], ${churn}::float8[], ${clv}::bigint[], ${next}::timestamptz[]) AS u(id, alive, churn, clv, next)
        WHERE cs."storeId" = ${storeId} AND cs."customerId" = u.id`;
      customers += page.length;
      after = page.at(-1)!.id;
    }
  } catch (e) {
    // A fit that converged to the edge of the parameter space (a, b or r → 0) can make the
    // per-customer formulas undefined. Scores and clusters still stand: no predictions this run,
    // and the reason is kept with the run like any other skipped model.
    if (!(e instanceof RangeError)) throw e;
    await db.$executeRaw`UPDATE "CustomerStats" SET "pAlive" = NULL, "churnRisk" = NULL, "predictedClvMinor" = NULL, "predictedNextOrderAt" = NULL
      WHERE "storeId" = ${storeId} AND ("pAlive" IS NOT NULL OR "predictedClvMinor" IS NOT NULL)`;
    const reason = `predictions skipped: the fitted model cannot be evaluated (${e.message})`;
    return { customers: 0, bgnbd, gammaGamma, skipped: [skipped, reason].filter(Boolean).join("; "), fitSeconds };
  }
  await db.$executeRaw`UPDATE "CustomerStats" SET "pAlive" = NULL, "churnRisk" = NULL, "predictedClvMinor" = NULL, "predictedNextOrderAt" = NULL
    WHERE "storeId" = ${storeId} AND "purchaseDays" = 0 AND "pAlive" IS NOT NULL`;
  return { customers, bgnbd, gammaGamma, skipped, fitSeconds };
}

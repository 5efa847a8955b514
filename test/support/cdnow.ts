// The CDNOW sample (../shared/data/cdnow/CDNOW_sample.txt) as the paper summarises it: transactions
// on the same day are one purchase; x, tₓ and T in weeks for a calibration period ending 1997-09-30.
import fs from "node:fs";
import { sharedDataFile } from "./shared-data.ts";

/** The sample's path, or null when the shared data is absent (tests skip). */
export const CDNOW_FILE = sharedDataFile("cdnow/CDNOW_sample.txt");
const day = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8))) / 86_400_000;

export interface CdnowCustomer {
  id: string;
  /** Purchase days (days since 1970) with the dollars spent that day, in date order. */
  purchases: { day: number; dollars: number }[];
}

export function loadCdnow(): CdnowCustomer[] {
  const byId = new Map<string, Map<number, number>>();
  if (!CDNOW_FILE) throw new Error("the CDNOW sample is not available (see test/support/shared-data.ts)");
  for (const line of fs.readFileSync(CDNOW_FILE, "utf8").trim().split("\n")) {
    const [id, , date, , dollars] = line.trim().split(/\s+/);
    const days = byId.get(id!) ?? new Map<number, number>();
    byId.set(id!, days);
    days.set(day(date!), (days.get(day(date!)) ?? 0) + Number(dollars));
  }
  return [...byId].map(([id, days]) => ({ id, purchases: [...days].sort((a, b) => a[0] - b[0]).map(([d, dollars]) => ({ day: d, dollars })) }));
}

export const CDNOW_CALIBRATION_END = day("19970930");

/** Per customer (x, tₓ, T) in weeks over the calibration period, and repeat purchases' mean value. */
export function cdnowCalibration(customers = CDNOW_FILE ? loadCdnow() : []) {
  return customers.map((c) => {
    const cal = c.purchases.filter((p) => p.day <= CDNOW_CALIBRATION_END);
    const first = cal[0]!.day;
    const repeat = cal.slice(1);
    return {
      id: c.id,
      x: repeat.length,
      tx: (cal.at(-1)!.day - first) / 7,
      T: (CDNOW_CALIBRATION_END - first) / 7,
      repeatMean: repeat.length ? repeat.reduce((s, p) => s + p.dollars, 0) / repeat.length : 0,
      /** Purchases in the 39 weeks after calibration (the paper's holdout, to 1998-06-30). */
      holdout: c.purchases.filter((p) => p.day > CDNOW_CALIBRATION_END).length,
    };
  });
}

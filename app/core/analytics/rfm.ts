// RFM scoring rules: the options a store can set and the two tie policies. The SQL in
// rfm.server.ts implements the same rules over the whole store; these functions are the
// specification it is tested against.

export type TiePolicy = "rank" | "ntile";

export interface RfmOptions {
  /** Only orders of the last N months count; null = all time (the default, scored from kept stats). */
  windowMonths: number | null;
  /**
   * "rank" (default): score = 1 + floor(5 × customers strictly worse / n). Equal values always
   * get equal scores; a value shared by many customers (one order) pulls them all to one score, so
   * quintiles can be uneven. "ntile": PostgreSQL NTILE(5) over the sorted values, five equal-sized
   * groups, but equal values may land in different groups (ties broken by customer id).
   */
  tiePolicy: TiePolicy;
}

export const DEFAULT_RFM_OPTIONS: RfmOptions = { windowMonths: null, tiePolicy: "rank" };

/** Validate options from settings or a form; a clear error names the bad field. */
export function parseRfmOptions(input: unknown): RfmOptions {
  const o = (input ?? {}) as Record<string, unknown>;
  if (typeof o !== "object") throw new Error("RFM options must be an object");
  const windowMonths = o.windowMonths ?? null;
  if (windowMonths !== null && !(typeof windowMonths === "number" && Number.isInteger(windowMonths) && windowMonths >= 1 && windowMonths <= 120)) {
    throw new Error(`RFM windowMonths must be a whole number of months from 1 to 120, or null for all time (got ${JSON.stringify(windowMonths)})`);
  }
  const tiePolicy = o.tiePolicy ?? "rank";
  if (tiePolicy !== "rank" && tiePolicy !== "ntile") throw new Error(`RFM tiePolicy must be "rank" or "ntile" (got ${JSON.stringify(tiePolicy)})`);
  return { windowMonths, tiePolicy };
}

/**
 * Scores 1–5 for `values` where larger is better (pass −days for recency). Rank policy:
 * 1 + floor(5 × (number of values strictly smaller) / n).
 */
export function rankScores(values: readonly number[]): number[] {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  return values.map((v) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return 1 + Math.floor((5 * lo) / n);
  });
}

/** NTILE(5) as PostgreSQL computes it, ordering by value then by `ids` (the tie-breaker). */
export function ntileScores(values: readonly number[], ids: readonly number[]): number[] {
  const n = values.length;
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || ids[a]! - ids[b]!);
  const out = new Array<number>(n);
  // NTILE: the first (n mod 5) buckets get one extra row.
  const size = Math.floor(n / 5);
  const extra = n % 5;
  let pos = 0;
  for (let bucket = 1; bucket <= 5; bucket++) {
    const rows = size + (bucket <= extra ? 1 : 0);
    for (let k = 0; k < rows; k++) out[order[pos++]!] = bucket;
  }
  return out;
}

// Pure helpers behind the store metrics (metrics.server.ts).

/**
 * Edges (minor units) of a "total spent per customer" histogram a merchant can read: 1-2-5 steps
 * in major units (10, 20, 50, 100, 200, 500, 1 000 …) up to the first edge ≥ the largest total,
 * starting a decade higher while that makes more than `maxBins` edges. Bins are [0, e₁),
 * [e₁, e₂), …, [eₙ, ∞).
 */
export function spendBinEdges(maxMinor: bigint | number, minorPerMajor = 100, maxBins = 12): number[] {
  const max = Number(maxMinor) / minorPerMajor;
  if (!(max > 0)) return [];
  const series = (start: number): number[] => {
    const edges: number[] = [];
    for (let decade = start; ; decade *= 10) {
      for (const m of [1, 2, 5]) {
        edges.push(m * decade);
        if (m * decade >= max) return edges;
      }
    }
  };
  let start = 10;
  let edges = series(start);
  while (edges.length > maxBins) edges = series((start *= 10));
  return edges.map((e) => e * minorPerMajor);
}

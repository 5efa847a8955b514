// Customer clusters: k-means (ml-kmeans) on standardised log features — recency in days, orders,
// revenue and average ticket — with k chosen by the best mean silhouette, or set by the merchant.
// Clusters are named from their centroids ("recent · frequent · high spend"), so a name says
// what the customers in it have in common.
import { kmeans } from "ml-kmeans";

export interface ClusterCustomer {
  recencyDays: number;
  orders: number;
  revenue: number;
  avgOrder: number;
}

export type Level = "low" | "mid" | "high";
/** How a cluster's centroid compares with the store's average customer, per feature. */
export interface ClusterProfile {
  recency: Level; // high = bought long ago
  frequency: Level;
  spend: Level;
  ticket: Level;
}

export interface ClusterModel {
  k: number;
  /** Silhouette of the chosen k (−1 … 1; higher = better separated), null when k was given. */
  silhouette: number | null;
  /** Silhouette per k tried. */
  tried: { k: number; silhouette: number }[];
  /** Feature means and standard deviations used to standardise (log1p scale). */
  mean: number[];
  sd: number[];
  /** Centroids in standardised units, ordered by descending mean revenue (cluster 0 = most valuable). */
  centroids: number[][];
  profiles: ClusterProfile[];
}

export interface ClusterOptions {
  /** Fixed k (2–10), or null to choose by silhouette among 2…maxK. */
  k?: number | null;
  maxK?: number;
  /** k-means runs on at most this many customers (an even stride through them); all are assigned. */
  sampleSize?: number;
  /** Silhouette costs O(n²): computed on at most this many of the sample. */
  silhouetteSample?: number;
  seed?: number;
}

const FEATURES = 4;

export function features(c: ClusterCustomer): number[] {
  for (const [k, v] of Object.entries(c)) if (!(Number.isFinite(v) && v >= 0)) throw new Error(`cluster feature ${k} must be a finite number ≥ 0, got ${v}`);
  return [Math.log1p(c.recencyDays), Math.log1p(c.orders), Math.log1p(c.revenue), Math.log1p(c.avgOrder)];
}

function stride<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return items.slice();
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]!);
}

const dist2 = (p: readonly number[], q: readonly number[]) => {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - q[i]!) ** 2;
  return s;
};

/** Mean silhouette (Rousseeuw 1987) with Euclidean distances. */
export function silhouette(points: readonly number[][], labels: readonly number[], k: number): number {
  const n = points.length;
  let total = 0;
  const sums = new Float64Array(k);
  const sizes = new Float64Array(k);
  for (const l of labels) sizes[l]!++;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[labels[j]!]! += Math.sqrt(dist2(points[i]!, points[j]!));
    const own = labels[i]!;
    if (sizes[own]! <= 1) continue; // a singleton's silhouette is 0
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    if (b === Infinity) continue;
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

function nearest(centroids: readonly number[][], p: readonly number[]): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = dist2(centroids[c]!, p);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

const level = (z: number): Level => (z > 0.5 ? "high" : z < -0.5 ? "low" : "mid");

/** Fit the model on (a sample of) the store's customers. Needs at least 2 distinct customers per cluster tried. */
export function fitClusters(customers: readonly ClusterCustomer[], opts: ClusterOptions = {}): ClusterModel {
  const fixedK = opts.k ?? null;
  if (fixedK !== null && !(Number.isInteger(fixedK) && fixedK >= 2 && fixedK <= 10)) throw new Error(`cluster count k must be a whole number from 2 to 10, got ${fixedK}`);
  const seed = opts.seed ?? 42;
  const sample = stride(customers, opts.sampleSize ?? 20_000).map(features);
  const distinct = new Set(sample.map((p) => p.join(","))).size;
  const maxK = Math.min(fixedK ?? opts.maxK ?? 6, distinct);
  if (maxK < 2 || (fixedK !== null && distinct < fixedK)) throw new Error(`clustering needs more distinct customers than clusters (have ${distinct} distinct)`);

  const mean = new Array<number>(FEATURES).fill(0);
  const sd = new Array<number>(FEATURES).fill(0);
  for (const p of sample) for (let i = 0; i < FEATURES; i++) mean[i]! += p[i]! / sample.length;
  for (const p of sample) for (let i = 0; i < FEATURES; i++) sd[i]! += (p[i]! - mean[i]!) ** 2 / sample.length;
  for (let i = 0; i < FEATURES; i++) sd[i] = Math.sqrt(sd[i]!) || 1; // a constant feature carries no information
  const z = sample.map((p) => p.map((v, i) => (v - mean[i]!) / sd[i]!));

  const silSample = stride(z.map((p, i) => ({ p, i })), opts.silhouetteSample ?? 1500);
  const tried: { k: number; silhouette: number }[] = [];
  let best: { k: number; centroids: number[][]; sil: number } | null = null;
  for (let k = fixedK ?? 2; k <= maxK; k++) {
    const result = kmeans(z, k, { seed, initialization: "kmeans++", maxIterations: 100 });
    const sil = silhouette(silSample.map((s) => s.p), silSample.map((s) => result.clusters[s.i]!), k);
    tried.push({ k, silhouette: sil });
    if (!best || sil > best.sil) best = { k, centroids: result.centroids, sil };
  }
  // Most valuable first (revenue feature), so cluster numbers read the same way run after run.
  const centroids = best!.centroids.slice().sort((a, b) => b[2]! - a[2]! || b[1]! - a[1]!);
  return {
    k: best!.k,
    silhouette: fixedK === null ? best!.sil : null,
    tried,
    mean,
    sd,
    centroids,
    profiles: centroids.map((c) => ({ recency: level(c[0]!), frequency: level(c[1]!), spend: level(c[2]!), ticket: level(c[3]!) })),
  };
}

/**
 * i18n keys that name a cluster from its profile, e.g. ["analytics.cluster.recency.low",
 * "analytics.cluster.frequency.high"] → "recent · frequent". Recency, frequency and spend only;
 * a cluster that is average on all three is "analytics.cluster.average".
 */
export function clusterNameKeys(profile: ClusterProfile): string[] {
  const keys = (["recency", "frequency", "spend"] as const).filter((f) => profile[f] !== "mid").map((f) => `analytics.cluster.${f}.${profile[f]}`);
  return keys.length ? keys : ["analytics.cluster.average"];
}

/** The cluster (index into model.centroids) of one customer. */
export function assignCluster(model: ClusterModel, c: ClusterCustomer): number {
  const p = features(c).map((v, i) => (v - model.mean[i]!) / model.sd[i]!);
  return nearest(model.centroids, p);
}

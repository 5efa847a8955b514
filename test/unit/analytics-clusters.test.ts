// k-means clusters: k chosen by silhouette finds planted groups, names come from centroids.
import { describe, expect, it } from "vitest";
import { assignCluster, clusterNameKeys, fitClusters, silhouette, type ClusterCustomer } from "../../app/core/analytics/clusters.ts";
import { createI18n } from "../../app/i18n/index.ts";

/** Three planted groups: recent big spenders, lapsed one-off buyers, and mid customers. */
function plantedStore(): { customers: ClusterCustomer[]; truth: number[] } {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const jitter = (v: number) => v * (0.8 + 0.4 * rand());
  const customers: ClusterCustomer[] = [];
  const truth: number[] = [];
  for (let i = 0; i < 600; i++) {
    const g = i % 3;
    const orders = g === 0 ? Math.round(jitter(12)) : g === 1 ? 1 : Math.round(jitter(3));
    const avgOrder = g === 0 ? jitter(90_000) : g === 1 ? jitter(4_000) : jitter(15_000);
    customers.push({ recencyDays: g === 0 ? jitter(10) : g === 1 ? jitter(400) : jitter(90), orders, revenue: orders * avgOrder, avgOrder });
    truth.push(g);
  }
  return { customers, truth };
}

describe("clusters", () => {
  const { customers, truth } = plantedStore();
  const model = fitClusters(customers, { maxK: 6, seed: 1 });

  it("chooses k = 3 for three planted groups and recovers them", () => {
    expect(model.k).toBe(3);
    expect(model.tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6]);
    expect(model.silhouette).toBe(Math.max(...model.tried.map((t) => t.silhouette)));
    const assigned = customers.map((c) => assignCluster(model, c));
    // Every planted group maps to a single cluster.
    for (const g of [0, 1, 2]) expect(new Set(assigned.filter((_, i) => truth[i] === g)).size).toBe(1);
    // Cluster 0 is the most valuable (ordered by revenue centroid).
    expect(assigned[0]).toBe(0);
  });

  it("names clusters from their centroids in both languages", () => {
    const best = model.profiles[0]!;
    expect(best).toMatchObject({ recency: "low", frequency: "high", spend: "high" });
    const en = createI18n("en");
    const pt = createI18n("pt-BR");
    expect(clusterNameKeys(best).map((k) => en.t(k)).join(" · ")).toBe("recent · frequent · high spend");
    expect(clusterNameKeys(best).map((k) => pt.t(k)).join(" · ")).toBe("recentes · frequentes · gasto alto");
    expect(clusterNameKeys(model.profiles[2]!)).toContain("analytics.cluster.recency.high");
    expect(clusterNameKeys({ recency: "mid", frequency: "mid", spend: "mid", ticket: "high" })).toEqual(["analytics.cluster.average"]);
  });

  it("honours a fixed k and refuses impossible ones", () => {
    expect(fitClusters(customers, { k: 4 }).k).toBe(4);
    expect(fitClusters(customers, { k: 4 }).silhouette).toBeNull();
    expect(() => fitClusters(customers, { k: 11 })).toThrow(/2 to 10/);
    expect(() => fitClusters([customers[0]!, customers[0]!])).toThrow(/distinct customers/);
    expect(() => fitClusters([{ recencyDays: -1, orders: 1, revenue: 1, avgOrder: 1 }, customers[0]!])).toThrow(/recencyDays/);
  });

  it("silhouette is 1 for far-apart tight groups and near 0 for one blob split in two", () => {
    expect(silhouette([[0], [0.01], [10], [10.01]], [0, 0, 1, 1], 2)).toBeGreaterThan(0.99);
    const line = Array.from({ length: 100 }, (_, i) => [i]);
    expect(silhouette(line, line.map((_, i) => (i % 2)), 2)).toBeLessThan(0.05);
  });
});

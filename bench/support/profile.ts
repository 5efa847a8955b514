// Optional CPU profile of the main thread (BENCH_CPU_PROF=1): writes a .cpuprofile under bench/.tmp/
// (open it in Chrome DevTools or speedscope) and summarises self time by package and by function.
import fs from "node:fs";
import path from "node:path";
import { Session } from "node:inspector/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export async function withCpuProfile<T>(file: string, fn: () => Promise<T>): Promise<{ result: T; summary: string }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 500 });
  await session.post("Profiler.start");
  let result: T;
  let summary = "";
  try {
    result = await fn();
  } finally {
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
    session.disconnect();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    summary = summarise(profile);
  }
  return { result, summary };
}

function bucket(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native / V8 builtins)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return "node: core modules";
  const own = /\/(app|adapters|bench|build)\/(.*)$/.exec(url);
  if (own) return own[1] === "build" ? "build/ (app bundle)" : `${own[1]}/${own[2]!.split("/")[0]}`;
  return url;
}

export function summarise(profile: CpuProfile, top = 15): string {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const byBucket = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const b = bucket(n.callFrame.url, n.callFrame.functionName);
    byBucket.set(b, (byBucket.get(b) ?? 0) + us);
    const where = n.callFrame.url ? `${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(app|adapters|bench|build)\//, "$1/")}:${n.callFrame.lineNumber + 1}` : "";
    const key = `${n.callFrame.functionName || "(anonymous)"} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `| ${k.replace(/\|/g, "\\|")} | ${(us / 1e6).toFixed(2)} s | ${((100 * us) / total).toFixed(1)} % |`)
      .join("\n");
  return [
    `Self time by package (main thread, ${(total / 1e6).toFixed(1)} s sampled; "(idle)" = event loop waiting):`,
    "",
    "| package / area | self time | share |\n|---|---:|---:|",
    rows(byBucket),
    "",
    "Top functions by self time:",
    "",
    "| function | self time | share |\n|---|---:|---:|",
    rows(byFn),
  ].join("\n");
}

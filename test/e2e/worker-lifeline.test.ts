// `npm start` runs the job workers in a child process. If the web process dies without a chance
// to stop it (kill -9, OOM killer), the child must not run on as an orphan polling the database:
// its IPC channel closes and it drains and exits (app/server/worker.ts). A clean-clone CI run once
// left two such workers behind for minutes.
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { groupMembers, startAppProcess, type AppProcess } from "#test/support/app-process.ts";

let app: AppProcess | undefined;
afterAll(async () => {
  await app?.stop(5_000);
});

const parentOf = (pid: number) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
};
const alive = (pid: number) => {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\S+ \(.*\) [ZX] /.test(state);
  } catch {
    return false;
  }
};

/** Starts the app, waits for its worker child (and, if asked, until it works), kills the web process with SIGKILL. */
async function killWebProcess(opts: { afterWorkersStarted: boolean }) {
  app = await startAppProcess();
  const workerLine = () => groupMembers(app!.pid).find((m) => m.includes("app/server/worker.ts"));
  await expect.poll(workerLine, { timeout: 60_000, interval: 100 }).toBeTruthy();
  const workerPid = Number(workerLine()!.split(" ")[0]);
  const webPid = parentOf(workerPid);
  expect(groupMembers(app.pid).find((m) => m.startsWith(`${webPid} `))).toMatch(/app\/server\/main\.ts/);
  if (opts.afterWorkersStarted) {
    // Only the child logs this (the web process runs no workers under WORKERS=child).
    await expect.poll(() => app!.logs().some((l) => l.msg === "job workers started"), { timeout: 60_000, interval: 250 }).toBe(true);
  }
  process.kill(webPid, "SIGKILL");
  return { workerPid, webPid };
}

describe.skipIf(!fs.existsSync("/proc/self/stat"))("the worker child of npm start, when the web process is killed with SIGKILL", () => {
  it("exits while it is still starting", async () => {
    const { workerPid, webPid } = await killWebProcess({ afterWorkersStarted: false });
    await expect.poll(() => alive(workerPid), { timeout: 45_000, interval: 250 }).toBe(false);
    expect(alive(webPid)).toBe(false);
    await app!.stop(5_000);
  });

  it("drains and exits once it is working", async () => {
    const { workerPid } = await killWebProcess({ afterWorkersStarted: true });
    // The drain is bounded by 30 s even when the database went away with the parent.
    await expect.poll(() => alive(workerPid), { timeout: 45_000, interval: 250 }).toBe(false);
    expect(app!.logs().some((l) => l.msg === "worker stopping: draining jobs in flight")).toBe(true);
  });
});

// Flow scheduling on pg-boss: a periodic tick (flows.scan-all) queues one scan per store
// (flows.scan, stately per store); a scan enrolls customers and queues each enrollment's first
// step as a delayed job (flows.step, startAfter = trigger + delay). Delayed jobs live in PostgreSQL,
// so they survive restarts; each job gets a deterministic id (enrollment × step × due time), so
// scheduling the same step twice queues it once.
import { createHash } from "node:crypto";
import type { Services } from "#app/server/services.server.ts";
import { scanStore } from "#app/core/flows/scan.server.ts";
import type { StepJob } from "#app/core/flows/step.server.ts";
import { QUEUES, type StoreJob } from "./queues.ts";
import { createPlatformDiscount } from "./flows-discount.server.ts";
import { linkKeyFromSecret, runFlowStep, type FlowRuntime } from "./flows-step.server.ts";

/** A UUID that is the same for the same step run, so a second send() of it is a no-op. */
export function stepJobId(job: StepJob, runAt: Date): string {
  const h = createHash("sha256").update(`${job.storeId}:${job.enrollmentId}:${job.position}:${runAt.getTime()}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Deps = Pick<Services, "db" | "boss" | "log" | "config" | "secrets">;

export async function scheduleStep(services: Pick<Services, "boss">, job: StepJob, runAt: Date): Promise<void> {
  await services.boss.send(QUEUES.flowsStep, job, { startAfter: runAt, id: stepJobId(job, runAt) });
}

export function flowRuntime(services: Deps, overrides: Partial<FlowRuntime> = {}): FlowRuntime {
  return {
    db: services.db,
    log: services.log,
    appUrl: services.config.appUrl,
    keys: { current: services.secrets.encryptionKey, previous: services.secrets.encryptionKeyOld },
    linkKey: linkKeyFromSecret(services.secrets.sessionSecret),
    schedule: (job, runAt) => scheduleStep(services, job, runAt),
    matches: null,
    createDiscount: (store, req) => createPlatformDiscount(services, store, req),
    ...overrides,
  };
}

/** Scan one store now and queue the first step of every new enrollment. */
export async function scanAndSchedule(services: Deps, storeId: number, now: Date = new Date(), rt: FlowRuntime = flowRuntime(services)): Promise<number> {
  const scheduled = await scanStore(services.db, storeId, now);
  for (const s of scheduled) await rt.schedule({ storeId: s.storeId, enrollmentId: s.enrollmentId, position: s.position }, s.runAt > now ? s.runAt : now);
  return scheduled.length;
}

/** The tick: one flows.scan per installed store that has an enabled flow. */
export async function enqueueFlowScans(services: Deps): Promise<number> {
  const stores = await services.db.store.findMany({ where: { uninstalledAt: null, flows: { some: { enabled: true } } }, select: { id: true } });
  for (const s of stores) {
    const job: StoreJob = { storeId: s.id };
    await services.boss.send(QUEUES.flowsScan, job, { singletonKey: String(s.id) });
  }
  return stores.length;
}

export { runFlowStep };

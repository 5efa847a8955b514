// Creating, editing and switching flows. Every read and write is scoped by storeId: another
// store's flow id is simply not found.
import { z } from "zod";
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { BUILT_IN_FLOWS } from "./builtins.ts";
import { flowSettingsSchema, stepInputSchema, triggerSchema, type FlowLocale } from "./model.ts";

/** Give a store the built-in flows it does not have yet (disabled). Idempotent. */
export async function ensureBuiltInFlows(db: Db, storeId: number, locale: FlowLocale = "pt-BR"): Promise<void> {
  const existing = new Set((await db.flow.findMany({ where: { storeId }, select: { template: true } })).map((f) => f.template));
  for (const b of BUILT_IN_FLOWS) {
    if (existing.has(b.template)) continue;
    await db.flow.create({
      data: {
        storeId,
        name: b.name[locale],
        template: b.template,
        trigger: b.trigger as Prisma.InputJsonValue,
        settings: b.settings as Prisma.InputJsonValue,
        enabled: false,
        steps: {
          create: b.steps.map((s, position) => ({
            store: { connect: { id: storeId } },
            position,
            delayMinutes: s.delayMinutes,
            channel: s.channel,
            condition: (s.condition ?? undefined) as Prisma.InputJsonValue | undefined,
            content: s.content as Prisma.InputJsonValue,
            options: s.options as Prisma.InputJsonValue,
          })),
        },
      },
    });
  }
}

export function getFlow(db: Db, storeId: number, flowId: number) {
  return db.flow.findUnique({ where: { storeId_id: { storeId, id: flowId } }, include: { steps: { orderBy: { position: "asc" } } } });
}

export const flowUpdateSchema = z.object({
  name: z.string().trim().min(1).max(120),
  trigger: triggerSchema,
  settings: flowSettingsSchema,
  steps: z.array(stepInputSchema).min(1).max(10),
});
export type FlowUpdate = z.infer<typeof flowUpdateSchema>;

export type SaveResult = { ok: true } | { ok: false; status: 400 | 404; errors: { path: string; message: string }[] };

/**
 * Replace a flow's definition. Steps are matched by position: existing ones are updated in place
 * (their ids, and so their messages' idempotency keys and stats, stay), extra ones are added,
 * missing ones removed. Enrollments already past a removed step simply complete.
 */
export async function saveFlow(db: Db, storeId: number, flowId: number, input: unknown): Promise<SaveResult> {
  // Another store's flow id is "not found" whatever the body says.
  const flow = await getFlow(db, storeId, flowId);
  if (!flow) return { ok: false, status: 404, errors: [{ path: "", message: "not found" }] };
  const parsed = flowUpdateSchema.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
  const v = parsed.data;
  await db.$transaction(async (tx) => {
    await tx.flow.update({ where: { storeId_id: { storeId, id: flowId } }, data: { name: v.name, trigger: v.trigger as Prisma.InputJsonValue, settings: v.settings as Prisma.InputJsonValue } });
    for (const [position, s] of v.steps.entries()) {
      const data = {
        delayMinutes: s.delayMinutes,
        channel: s.channel,
        condition: s.condition === null || s.condition === undefined ? Prisma.DbNull : (s.condition as Prisma.InputJsonValue),
        content: s.content as Prisma.InputJsonValue,
        options: s.options as Prisma.InputJsonValue,
      };
      const existing = flow.steps.find((x) => x.position === position);
      if (existing) await tx.flowStep.update({ where: { storeId_id: { storeId, id: existing.id } }, data });
      else await tx.flowStep.create({ data: { storeId, flowId, position, ...data } });
    }
    await tx.flowStep.deleteMany({ where: { storeId, flowId, position: { gte: v.steps.length } } });
  });
  return { ok: true };
}


/** Switch a flow on or off. Off cancels every pending step (see cancelFlow). Null when not this store's. */
export async function setFlowEnabled(db: Db, storeId: number, flowId: number, enabled: boolean, now: Date = new Date()): Promise<{ cancelled: number } | null> {
  const changed = await db.flow.updateMany({ where: { storeId, id: flowId }, data: { enabled } });
  if (changed.count === 0) return null;
  if (enabled) return { cancelled: 0 };
  const [r] = await db.$transaction([
    db.flowEnrollment.updateMany({ where: { storeId, flowId, status: "active" }, data: { status: "cancelled", stopReason: "flow_disabled", stoppedAt: now, nextRunAt: null } }),
    db.message.updateMany({ where: { storeId, flowId, status: "queued" }, data: { status: "cancelled", error: "flow_disabled" } }),
  ]);
  return { cancelled: r.count };
}

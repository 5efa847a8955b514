// A store's email provider settings: which provider, the sender, and its credentials. Kept in
// Store.settings.email; passwords and API keys only as AES-256-GCM envelopes (app/core/crypto.ts),
// never sent back to the browser.
import { z } from "zod";
import type { Store } from "@prisma/client";
import type { EmailTransportConfig } from "#adapters/email/index.server.ts";
import { decryptSecret, encryptSecret, type Keyring } from "#app/core/crypto.ts";
import type { Db } from "#app/db/client.server.ts";

const origin = z
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL")
  .optional();

/** What the settings form submits. A blank secret keeps the stored one. */
export const emailSettingsInput = z.discriminatedUnion("provider", [
  z.object({
    provider: z.literal("smtp"),
    fromName: z.string().trim().min(1).max(100),
    fromAddress: z.email(),
    replyTo: z.union([z.email(), z.literal("")]).optional(),
    host: z.string().trim().min(1).max(255),
    port: z.coerce.number().int().min(1).max(65535),
    secure: z.preprocess((v) => v === true || v === "true" || v === "on", z.boolean()),
    user: z.string().trim().max(255).optional(),
    secret: z.string().max(1000).optional(),
  }),
  z.object({
    provider: z.literal("sendgrid"),
    fromName: z.string().trim().min(1).max(100),
    fromAddress: z.email(),
    replyTo: z.union([z.email(), z.literal("")]).optional(),
    secret: z.string().max(1000).optional(),
    /** Another API origin (EU data residency, a proxy, a test simulator). */
    apiOrigin: origin,
  }),
  z.object({
    provider: z.literal("mandrill"),
    fromName: z.string().trim().min(1).max(100),
    fromAddress: z.email(),
    replyTo: z.union([z.email(), z.literal("")]).optional(),
    secret: z.string().max(1000).optional(),
    apiOrigin: origin,
  }),
]);
export type EmailSettingsInput = z.infer<typeof emailSettingsInput>;

/** As stored in Store.settings.email. */
const storedSchema = z.object({
  provider: z.enum(["smtp", "sendgrid", "mandrill"]),
  fromName: z.string(),
  fromAddress: z.string(),
  replyTo: z.string().optional(),
  host: z.string().optional(),
  port: z.number().optional(),
  secure: z.boolean().optional(),
  user: z.string().optional(),
  apiOrigin: z.string().optional(),
  /** Encrypted SMTP password or API key. */
  secret: z.string().optional(),
});
export type StoredEmailSettings = z.infer<typeof storedSchema>;

/** What the page may show: everything but the secret, plus whether one is stored. */
export type EmailSettingsView = Omit<StoredEmailSettings, "secret"> & { hasSecret: boolean };

export function storedEmailSettings(store: Pick<Store, "settings">): StoredEmailSettings | null {
  const raw = (store.settings as Record<string, unknown> | null)?.email;
  const parsed = storedSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function emailSettingsView(store: Pick<Store, "settings">): EmailSettingsView | null {
  const s = storedEmailSettings(store);
  if (!s) return null;
  const { secret, ...rest } = s;
  return { ...rest, hasSecret: Boolean(secret) };
}

export interface ResolvedEmailSettings {
  from: { name: string; address: string };
  replyTo?: string;
  transport: EmailTransportConfig;
}

/** Settings ready to build a sender; null when the store has not configured email. */
export function resolveEmailSettings(store: Pick<Store, "settings">, keys: Keyring): ResolvedEmailSettings | null {
  const s = storedEmailSettings(store);
  if (!s) return null;
  const secret = s.secret ? decryptSecret(s.secret, keys) : undefined;
  const from = { name: s.fromName, address: s.fromAddress };
  const replyTo = s.replyTo || undefined;
  if (s.provider === "smtp") {
    if (!s.host || !s.port) return null;
    return { from, replyTo, transport: { provider: "smtp", host: s.host, port: s.port, secure: s.secure ?? false, user: s.user || undefined, pass: secret, pool: true } };
  }
  if (!secret) return null;
  return { from, replyTo, transport: { provider: s.provider, apiKey: secret, origin: s.apiOrigin || undefined } };
}

/** Validate and store new settings (a blank secret keeps the stored one if the provider is unchanged). */
export async function saveEmailSettings(db: Db, storeId: number, input: unknown, keys: Keyring): Promise<{ ok: true } | { ok: false; errors: { path: string; message: string }[] }> {
  const parsed = emailSettingsInput.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
  }
  const v = parsed.data;
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { settings: true } });
  const previous = storedEmailSettings(store);
  const secret = v.secret ? encryptSecret(v.secret, keys) : previous?.provider === v.provider ? previous.secret : undefined;
  if (v.provider !== "smtp" && !secret) return { ok: false, errors: [{ path: "secret", message: "API key is required" }] };
  const stored: StoredEmailSettings = {
    provider: v.provider,
    fromName: v.fromName,
    fromAddress: v.fromAddress,
    ...(v.replyTo ? { replyTo: v.replyTo } : {}),
    ...(v.provider === "smtp" ? { host: v.host, port: v.port, secure: v.secure, ...(v.user ? { user: v.user } : {}) } : {}),
    ...(v.provider !== "smtp" && v.apiOrigin ? { apiOrigin: v.apiOrigin } : {}),
    ...(secret ? { secret } : {}),
  };
  // Merge under one key in one statement, so a concurrent write of another settings key survives.
  await db.$executeRaw`UPDATE "Store" SET settings = jsonb_set(COALESCE(settings, '{}'::jsonb), '{email}', ${JSON.stringify(stored)}::jsonb), "updatedAt" = now() WHERE id = ${storeId}`;
  return { ok: true };
}

// A WooCommerce store's connection: its encrypted credentials (REST keys + the secret our webhooks
// are signed with), the REST client built from them, and the sync state the admin shows
// ("connected", or "paused" with the reason when the keys stop working). Credentials are an
// AES-256-GCM envelope in Store.credentials (app/core/crypto.ts) and never leave the server.
import type { Prisma, Store } from "@prisma/client";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { decryptSecret, encryptSecret, needsReencryption } from "#app/core/crypto.ts";
import type { Services } from "#app/server/services.server.ts";
import { createWooClient, WooAuthError, type WooClient, type WooClientOptions } from "#adapters/woocommerce/rest-client.server.ts";
import { QUEUES } from "./queues.ts";
import { authorizeUrl, signConnectToken, verifyConnectToken } from "#adapters/woocommerce/connect.ts";

const credentialsSchema = z.object({
  consumerKey: z.string().min(1),
  consumerSecret: z.string().min(1),
  webhookSecret: z.string().min(16),
});
export type WooStoreCredentials = z.infer<typeof credentialsSchema>;

export type WooSyncState = { state: "awaiting_keys" } | { state: "connected"; since: string } | { state: "paused"; reason: string; since: string };

/** Not secret, kept in Store.settings: the site URL as the merchant gave it (http or https) and the sync state. */
interface WooSettings {
  woocommerce?: WooSyncState;
  woocommerceUrl?: string;
  /** The nonce of the one /wc-auth request in flight (single use). */
  woocommerceConnectNonce?: string | null;
}

type Deps = Pick<Services, "db" | "secrets">;
const keyring = (s: Deps["secrets"]) => ({ current: s.encryptionKey, previous: s.encryptionKeyOld });

/** "https://Loja.Example.com.br/shop/" → { url: "https://loja.example.com.br/shop", domain: "loja.example.com.br/shop" }. */
export function siteOf(input: string): { url: string; domain: string } {
  const u = new URL(/^https?:\/\//i.test(input.trim()) ? input.trim() : `https://${input.trim()}`);
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("the store address must be an http(s) URL");
  const path = u.pathname.replace(/\/+$/, "");
  const host = u.host.toLowerCase();
  return { url: `${u.protocol}//${host}${path}`, domain: `${host}${path}` };
}

const settingsOf = (store: Pick<Store, "settings">) => (store.settings as WooSettings | null) ?? {};

async function mergeSettings(services: Pick<Services, "db">, storeId: number, patch: WooSettings): Promise<void> {
  const store = await services.db.store.findUniqueOrThrow({ where: { id: storeId }, select: { settings: true } });
  const settings = { ...((store.settings as Prisma.JsonObject | null) ?? {}), ...patch } as Prisma.JsonObject;
  await services.db.store.update({ where: { id: storeId }, data: { settings } });
}

/** Find or create the Store row for a WooCommerce site (credentials come later). */
export async function ensureWooStore(services: Pick<Services, "db">, siteUrl: string, name?: string): Promise<Store> {
  const { url, domain } = siteOf(siteUrl);
  const store = await services.db.store.upsert({
    where: { platform_domain: { platform: "woocommerce", domain } },
    create: { platform: "woocommerce", domain, name: name?.trim() || domain, settings: { woocommerce: { state: "awaiting_keys" }, woocommerceUrl: url } },
    update: {},
  });
  if (settingsOf(store).woocommerceUrl !== url) await mergeSettings(services, store.id, { woocommerceUrl: url });
  return store;
}

export function wooSyncState(store: Pick<Store, "settings">): WooSyncState {
  return settingsOf(store).woocommerce ?? { state: "awaiting_keys" };
}

export function wooSiteUrl(store: Pick<Store, "settings" | "domain">): string {
  return settingsOf(store).woocommerceUrl ?? siteOf(store.domain).url;
}

export async function setWooSyncState(services: Pick<Services, "db">, storeId: number, state: WooSyncState): Promise<void> {
  await mergeSettings(services, storeId, { woocommerce: state });
}

/** Store keys (keeping the webhook secret of an earlier connection so live webhooks stay valid); the store counts as connected. */
export async function saveWooCredentials(services: Deps, storeId: number, keys: { consumerKey: string; consumerSecret: string }): Promise<WooStoreCredentials> {
  const store = await services.db.store.findUniqueOrThrow({ where: { id: storeId }, select: { credentials: true } });
  const previous = store.credentials ? await loadWooCredentials(services, storeId).catch(() => null) : null;
  const creds = credentialsSchema.parse({
    consumerKey: keys.consumerKey.trim(),
    consumerSecret: keys.consumerSecret.trim(),
    webhookSecret: previous?.webhookSecret ?? randomBytes(32).toString("base64url"),
  });
  await services.db.store.update({ where: { id: storeId }, data: { credentials: encryptSecret(JSON.stringify(creds), keyring(services.secrets)), uninstalledAt: null } });
  secretCache.delete(storeId);
  await setWooSyncState(services, storeId, { state: "connected", since: new Date().toISOString() });
  return creds;
}

export async function loadWooCredentials(services: Deps, storeId: number): Promise<WooStoreCredentials> {
  const store = await services.db.store.findUniqueOrThrow({ where: { id: storeId }, select: { platform: true, credentials: true } });
  if (store.platform !== "woocommerce") throw new Error(`store ${storeId} is not a WooCommerce store`);
  if (!store.credentials) throw new Error(`store ${storeId} has no WooCommerce keys yet: connect it first`);
  const creds = credentialsSchema.parse(JSON.parse(decryptSecret(store.credentials, keyring(services.secrets))));
  // Rotation: values written under ENCRYPTION_KEY_OLD move to the current key when read.
  if (needsReencryption(store.credentials, keyring(services.secrets))) {
    await services.db.store.update({ where: { id: storeId }, data: { credentials: encryptSecret(JSON.stringify(creds), keyring(services.secrets)) } });
  }
  return creds;
}

export async function wooClientForStore(services: Deps, storeId: number, opts: Partial<WooClientOptions> = {}): Promise<WooClient> {
  const creds = await loadWooCredentials(services, storeId);
  const store = await services.db.store.findUniqueOrThrow({ where: { id: storeId }, select: { settings: true, domain: true } });
  return createWooClient({ url: wooSiteUrl(store), consumerKey: creds.consumerKey, consumerSecret: creds.consumerSecret, ...opts });
}

// Every delivery needs its store's webhook secret: decrypt once a minute, not once per request.
const secretCache = new Map<number, { secret: string | null; until: number }>();

/** The secret WooCommerce signs this store's webhooks with; null when the store is not a connected WooCommerce store. */
export async function wooWebhookSecret(services: Deps, storeId: number): Promise<string | null> {
  const hit = secretCache.get(storeId);
  if (hit && hit.until > Date.now()) return hit.secret;
  const store = await services.db.store.findUnique({ where: { id: storeId }, select: { platform: true, credentials: true } });
  const secret = store?.platform === "woocommerce" && store.credentials ? (await loadWooCredentials(services, storeId)).webhookSecret : null;
  secretCache.set(storeId, { secret, until: Date.now() + (secret ? 60_000 : 5_000) });
  return secret;
}

/** Where a store's webhooks are delivered. */
export function wooDeliveryUrl(appUrl: string, storeId: number): string {
  return `${appUrl.replace(/\/$/, "")}/webhooks/woocommerce/${storeId}`;
}

// ------------------------------------------------------------------------------------------
// Connecting: the authorisation flow and the paste-keys fallback
// ------------------------------------------------------------------------------------------

/** Start the /wc-auth flow for a site: the Store row exists from now on, keys arrive at the callback. */
export async function beginWooConnect(services: Pick<Services, "db" | "secrets" | "config">, siteUrl: string, name?: string): Promise<{ store: Store; authorizeUrl: string }> {
  const store = await ensureWooStore(services, siteUrl, name);
  const { token, nonce } = signConnectToken(store.id, services.secrets.sessionSecret);
  await mergeSettings(services, store.id, { woocommerceConnectNonce: nonce });
  const app = services.config.appUrl;
  return {
    store,
    authorizeUrl: authorizeUrl({ siteUrl: wooSiteUrl(store), appName: "caderninho", token, returnUrl: `${app}/app/woocommerce?store=${store.id}`, callbackUrl: `${app}/woocommerce/callback` }),
  };
}

export class WooConnectError extends Error {}

/** The callback's half: check the token is ours, unexpired and unused, then keep the keys. */
export async function completeWooConnect(services: Deps, userId: string, keys: { consumerKey: string; consumerSecret: string }): Promise<number> {
  const check = verifyConnectToken(userId, services.secrets.sessionSecret);
  if (!check.ok) throw new WooConnectError(check.reason);
  const store = await services.db.store.findUnique({ where: { id: check.storeId } });
  const pending = store ? settingsOf(store).woocommerceConnectNonce : null;
  if (!store || store.platform !== "woocommerce" || !pending || pending !== check.nonce) throw new WooConnectError("this connection request was already used or replaced");
  await mergeSettings(services, store.id, { woocommerceConnectNonce: null });
  await saveWooCredentials(services, store.id, keys);
  return store.id;
}

/** Queue the import (webhooks first, then history); one per store at a time, resumable. */
export async function startWooImport(services: Pick<Services, "boss">, storeId: number): Promise<void> {
  await services.boss.send(QUEUES.wooBackfill, { storeId }, { singletonKey: String(storeId) });
}

export type PasteKeysResult = { ok: true; storeId: number } | { ok: false; reason: "refused" | "unreachable" | "invalid"; detail: string };

/** The fallback: keys made in wp-admin (WooCommerce → Settings → Advanced → REST API), tested before anything is saved. */
export async function connectWithKeys(
  services: Pick<Services, "db" | "secrets" | "boss">,
  input: { siteUrl: string; name?: string; consumerKey: string; consumerSecret: string },
  opts: { timeoutMs?: number } = {},
): Promise<PasteKeysResult> {
  let site: { url: string };
  try {
    site = siteOf(input.siteUrl);
  } catch (e) {
    return { ok: false, reason: "invalid", detail: (e as Error).message };
  }
  const client = createWooClient({ url: site.url, consumerKey: input.consumerKey.trim(), consumerSecret: input.consumerSecret.trim(), retries: 1, baseDelayMs: 200, timeoutMs: opts.timeoutMs ?? 15_000 });
  try {
    await client.page("webhooks", { per_page: 1, page: 1 });
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: e instanceof WooAuthError ? "refused" : "unreachable", detail };
  }
  const store = await ensureWooStore(services, site.url, input.name);
  await saveWooCredentials(services, store.id, input);
  await startWooImport(services, store.id);
  return { ok: true, storeId: store.id };
}

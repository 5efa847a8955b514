// Activating the behaviour pixel (extensions/behaviour-pixel) on a shop. Deploying the extension
// makes it available; each shop gets it only when the app creates its web pixel record with the
// settings the extension declares (storeKey, endpoint). Create first; if the shop already has one
// (TAKEN: reinstall, or our endpoint moved), read it and update only when its settings differ.
import { ShopifyApiError, type AdminGraphqlClient } from "./admin-graphql.server.ts";

export const WEB_PIXEL_CREATE = `mutation caderninhoWebPixelCreate($webPixel: WebPixelInput!) {
  webPixelCreate(webPixel: $webPixel) { webPixel { id settings } userErrors { field message code } }
}`;

export const WEB_PIXEL_UPDATE = `mutation caderninhoWebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
  webPixelUpdate(id: $id, webPixel: $webPixel) { webPixel { id settings } userErrors { field message code } }
}`;

/** Without an id, Shopify answers the calling app's own pixel on this shop. */
export const WEB_PIXEL_QUERY = `query caderninhoWebPixel { webPixel { id settings } }`;

/** The settings fields of extensions/behaviour-pixel/shopify.extension.toml. */
export interface BehaviourPixelSettings {
  storeKey: string;
  endpoint: string;
}

export type WebPixelOutcome = { action: "created" | "updated" | "unchanged"; id: string };

interface PixelPayload {
  webPixel: { id: string; settings: unknown } | null;
  userErrors: { field?: string[] | null; message: string; code?: string | null }[];
}

/** Shopify's JSON scalar arrives as an encoded string or as an object, depending on the client. */
export function readPixelSettings(settings: unknown): Record<string, unknown> {
  if (typeof settings === "string") {
    try {
      const parsed: unknown = JSON.parse(settings);
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return settings && typeof settings === "object" ? (settings as Record<string, unknown>) : {};
}

const sameSettings = (a: Record<string, unknown>, b: BehaviourPixelSettings) => a.storeKey === b.storeKey && a.endpoint === b.endpoint;

function failure(operation: string, errors: PixelPayload["userErrors"]): ShopifyApiError {
  return new ShopifyApiError(`${operation} refused: ${errors.map((e) => `${e.code ?? "ERROR"} ${e.message}`).join("; ") || "no web pixel returned"}`, {
    status: 200,
    code: "USER_ERRORS",
    retryable: false,
    operation,
    userErrors: errors.map((e) => ({ field: e.field ?? null, message: e.message, code: e.code ?? null })),
  });
}

export async function ensureWebPixel(client: AdminGraphqlClient, settings: BehaviourPixelSettings): Promise<WebPixelOutcome> {
  const webPixel = { settings: JSON.stringify(settings) };
  const created = await client.request<{ webPixelCreate: PixelPayload }>(WEB_PIXEL_CREATE, { webPixel }, { allowUserErrors: true });
  const createPayload = created.data.webPixelCreate;
  if (createPayload.webPixel && createPayload.userErrors.length === 0) return { action: "created", id: createPayload.webPixel.id };
  if (!createPayload.userErrors.some((e) => e.code === "TAKEN")) throw failure("webPixelCreate", createPayload.userErrors);

  const current = (await client.request<{ webPixel: { id: string; settings: unknown } | null }>(WEB_PIXEL_QUERY)).data.webPixel;
  if (!current) throw failure("webPixelCreate", createPayload.userErrors);
  if (sameSettings(readPixelSettings(current.settings), settings)) return { action: "unchanged", id: current.id };
  const updated = await client.request<{ webPixelUpdate: PixelPayload }>(WEB_PIXEL_UPDATE, { id: current.id, webPixel }, { allowUserErrors: true });
  const updatePayload = updated.data.webPixelUpdate;
  if (!updatePayload.webPixel || updatePayload.userErrors.length) throw failure("webPixelUpdate", updatePayload.userErrors);
  return { action: "updated", id: updatePayload.webPixel.id };
}

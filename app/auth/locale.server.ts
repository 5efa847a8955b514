import type { Services } from "#app/server/services.server.ts";
import { resolveLocale, type Locale } from "#app/i18n/index.ts";
import { getStandaloneSession } from "./standalone.server.ts";

/**
 * The admin's language: Shopify passes the admin user's `locale` to embedded apps; standalone
 * users choose it (kept in their session) or get their browser's; pt-BR is the fallback.
 */
export async function localeFromRequest(services: Services, request: Request): Promise<Locale> {
  const url = new URL(request.url);
  const explicit = url.searchParams.get("locale") ?? url.searchParams.get("lang");
  const session = await getStandaloneSession(services, request);
  return resolveLocale(explicit, session.get("locale"), request.headers.get("accept-language"));
}

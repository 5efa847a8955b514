// Standalone mode's own login: one admin password (ADMIN_PASSWORD, or printed at start-up), a
// signed, httpOnly, SameSite=Lax cookie session, and a small per-address attempt limit.
import { createCookieSessionStorage, redirect, type SessionStorage } from "@remix-run/node";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Services } from "#app/server/services.server.ts";

interface SessionData {
  loggedIn: boolean;
  storeId: number;
  locale: string;
}

const storages = new WeakMap<Services, SessionStorage<SessionData>>();

export function standaloneSessions(services: Services): SessionStorage<SessionData> {
  let s = storages.get(services);
  if (!s) {
    s = createCookieSessionStorage<SessionData>({
      cookie: {
        name: "__caderninho",
        httpOnly: true,
        sameSite: "lax",
        path: "/",
        secure: services.config.appUrl.startsWith("https://"),
        secrets: [services.secrets.sessionSecret],
        maxAge: 60 * 60 * 24 * 30,
      },
    });
    storages.set(services, s);
  }
  return s;
}

export async function getStandaloneSession(services: Services, request: Request) {
  return standaloneSessions(services).getSession(request.headers.get("Cookie"));
}

/** The logged-in standalone session, or a redirect to /login that remembers where we were. */
export async function requireStandaloneLogin(services: Services, request: Request) {
  const session = await getStandaloneSession(services, request);
  if (!session.get("loggedIn")) {
    const url = new URL(request.url);
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return session;
}

export function passwordMatches(given: string, expected: string): boolean {
  // Hash both sides so the comparison is constant-time whatever the lengths.
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

const attempts = new Map<string, { count: number; resetAt: number }>();

/** At most 10 login attempts per client address per minute. */
export function allowLoginAttempt(clientKey: string, now = Date.now()): boolean {
  const a = attempts.get(clientKey);
  if (!a || a.resetAt < now) {
    attempts.set(clientKey, { count: 1, resetAt: now + 60_000 });
    return true;
  }
  a.count += 1;
  return a.count <= 10;
}

// Cross-site request forgery protection for the standalone admin (its login cookie is SameSite=Lax,
// which still lets a top-level cross-site form POST carry it in some browsers and leaves same-site
// subdomains free to post). Every state-changing request (not GET/HEAD/OPTIONS) to the app's own
// pages must come from the app's own origin: its Origin header — or, when a browser sends none,
// its Referer — must match the address the request came in on or APP_URL; browsers' Fetch
// Metadata `Sec-Fetch-Site: cross-site` is refused outright. Requests with neither header are not
// from a browser form (curl, server-to-server) and carry no ambient credentials to abuse.
// Embedded requests authenticate with a Bearer session token, not a cookie: not forgeable, not checked.
// Public endpoints that other sites and platforms legitimately POST to are exempt (they verify
// their own HMAC signatures or tokens): one-click unsubscribe (RFC 8058) is POSTed by mail providers.
import type { NextFunction, Request, Response } from "express";

export const CSRF_EXEMPT_PREFIXES = ["/webhooks/", "/proxy/", "/pixel/", "/storefront/", "/woocommerce/callback", "/auth/", "/healthz", "/unsubscribe/", "/t/"];

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return new URL(value).origin;
  } catch {
    return "null";
  }
}

export type CsrfVerdict = { ok: true } | { ok: false; reason: string };

/** The decision, on plain values (unit-testable). */
export function checkCsrf(req: { method: string; path: string; headers: Record<string, string | string[] | undefined> }, ownOrigins: string[]): CsrfVerdict {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return { ok: true };
  if (CSRF_EXEMPT_PREFIXES.some((p) => req.path === p.replace(/\/$/, "") || req.path.startsWith(p))) return { ok: true };
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  if (header("authorization")?.startsWith("Bearer ")) return { ok: true };
  if (header("sec-fetch-site") === "cross-site") return { ok: false, reason: "cross-site request refused" };
  const origin = header("origin");
  const source = origin !== undefined ? originOf(origin) : originOf(header("referer"));
  if (source === null) return { ok: true };
  if (ownOrigins.includes(source)) return { ok: true };
  return { ok: false, reason: `request from another origin (${source}) refused` };
}

/** Express middleware: 403 with the reason for a forged request, before Remix sees it. */
export function csrfProtection(appUrl: string) {
  const configured = originOf(appUrl);
  return (req: Request, res: Response, next: NextFunction) => {
    const own = [`${req.protocol}://${req.get("host") ?? ""}`, ...(configured ? [configured] : [])];
    const verdict = checkCsrf({ method: req.method, path: req.path, headers: req.headers }, own);
    if (verdict.ok) return next();
    res.status(403).type("text/plain").send(`Forbidden: ${verdict.reason}`);
  };
}

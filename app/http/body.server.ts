// Read a request body with a hard size limit, without trusting Content-Length alone.
import type { IncomingMessage, ServerResponse } from "node:http";

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
  }
}

export async function readBodyLimited(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A plain-text error response: platforms log the body, so say exactly what was wrong. */
export function problem(status: number, reason: string): Response {
  return new Response(reason, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * The action of a webhook route: POST only, body read within the size limit (400 with the reason
 * otherwise), then `handle(raw)`.
 */
export async function webhookAction(request: Request, maxBytes: number, handle: (raw: Buffer) => Promise<Response>): Promise<Response> {
  if (request.method !== "POST") return problem(405, "webhooks are delivered with POST");
  let raw: Buffer;
  try {
    raw = await readBodyLimited(request, maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return problem(400, e.message);
    throw e;
  }
  return handle(raw);
}

/**
 * The same limit on a plain Node request (the Express fast paths that skip Remix). Resolves the
 * body, or rejects with BodyTooLargeError (the rest of the body is drained so the socket stays usable).
 */
export function readNodeBodyLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("error", reject);
    req.on("end", () => (size > limit ? reject(new BodyTooLargeError(limit)) : resolve(Buffer.concat(chunks))));
  });
}

/** Send a Fetch Response through an Express/Node response. */
export async function sendResponse(res: ServerResponse, r: Response): Promise<void> {
  res.statusCode = r.status;
  r.headers.forEach((v, k) => res.setHeader(k, v));
  res.end(Buffer.from(await r.arrayBuffer()));
}

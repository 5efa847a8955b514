// A local stand-in for SendGrid's v3 Mail Send endpoint, in its wire format: POST /v3/mail/send
// with `Authorization: Bearer <key>` and a JSON body (personalizations, from, subject, content,
// headers); 202 with an empty body and X-Message-Id on success; 400 {errors:[{message, field,
// help}]} for a bad body; 401 for a bad key; a scripted status (429/500…) on demand.
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface SendgridSimulator {
  url: string;
  received: { body: Record<string, unknown>; headers: http.IncomingHttpHeaders }[];
  /** The next n requests answer this status. */
  failNext(status: number, n?: number): void;
  close(): Promise<void>;
}

export async function startSendgridSimulator(apiKey: string): Promise<SendgridSimulator> {
  const received: SendgridSimulator["received"] = [];
  const scripted: number[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const json = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { ...(body ? { "content-type": "application/json" } : {}), ...headers });
        res.end(body ? JSON.stringify(body) : undefined);
      };
      if (req.method !== "POST" || req.url !== "/v3/mail/send") return json(404, { errors: [{ message: "not found", field: null, help: null }] });
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        return json(401, { errors: [{ message: "The provided authorization grant is invalid, expired, or revoked", field: null, help: null }] });
      }
      const status = scripted.shift();
      if (status) return json(status, { errors: [{ message: status === 429 ? "too many requests" : "internal error", field: null, help: null }] });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw);
      } catch {
        return json(400, { errors: [{ message: "Bad Request", field: null, help: null }] });
      }
      const errors: { message: string; field: string; help: null }[] = [];
      const p = body.personalizations as { to?: { email?: string }[] }[] | undefined;
      if (!Array.isArray(p) || p.length === 0) errors.push({ message: "The personalizations field is required and must have at least one personalization.", field: "personalizations", help: null });
      else if (!p[0]!.to?.[0]?.email?.includes("@")) errors.push({ message: "Does not contain a valid address.", field: "personalizations.0.to.0.email", help: null });
      if (!(body.from as { email?: string } | undefined)?.email) errors.push({ message: "The from object must be provided for every email send.", field: "from", help: null });
      const content = body.content as { type: string; value: string }[] | undefined;
      if (!Array.isArray(content) || content.length === 0) errors.push({ message: "Unless a valid template_id is provided, the content parameter is required.", field: "content", help: null });
      else if (content.length > 1 && content[0]!.type !== "text/plain") errors.push({ message: "If present, text/plain must be first, followed by text/html, followed by any other content.", field: "content", help: null });
      if (errors.length) return json(400, { errors });
      received.push({ body, headers: req.headers });
      json(202, undefined, { "x-message-id": randomBytes(11).toString("base64url") });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    failNext(status, n = 1) {
      for (let i = 0; i < n; i++) scripted.push(status);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

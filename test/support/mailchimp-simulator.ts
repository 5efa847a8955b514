// A small Mailchimp Marketing API 3.0 in its wire format, for tests: HTTP basic auth with any user
// name and the API key as password, the data centre of the key in the URL (here the first path
// segment, standing in for the host name us21.api.mailchimp.com), problem+json errors, PUT
// members by md5(lowercase email), POST member tags (204), batch operations whose results are a
// gzipped tar of JSON files, and injectable 429/503 answers to test retries.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

export interface SimMember {
  email: string;
  status: string;
  mergeFields: Record<string, string>;
  tags: Set<string>;
}

export interface MailchimpSimulator {
  origin: string;
  /** Base to configure the app with (MAILCHIMP_API_BASE). */
  apiBase: string;
  apiKey: string;
  members(listId: string): Map<string, SimMember>;
  requests: { method: string; path: string; body: unknown }[];
  /** Answer the next `count` API requests with this status (429 or 5xx). */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

export async function startMailchimpSimulator(opts: { apiKey?: string; lists?: { id: string; name: string }[]; batchPollsUntilDone?: number } = {}): Promise<MailchimpSimulator> {
  const apiKey = opts.apiKey ?? `${"0123456789abcdef".repeat(2)}-us21`;
  const dc = apiKey.split("-")[1]!;
  const lists = opts.lists ?? [{ id: "a1b2c3d4e5", name: "Clientes da loja" }];
  const data = new Map(lists.map((l) => [l.id, new Map<string, SimMember>()]));
  const requests: MailchimpSimulator["requests"] = [];
  const batches = new Map<string, { polls: number; results: { status_code: number; operation_id: string; response: string }[] }>();
  let failures: { count: number; status: number } = { count: 0, status: 0 };
  let origin = "";

  const problem = (res: ServerResponse, status: number, title: string, detail: string) => {
    res.writeHead(status, { "Content-Type": "application/problem+json" });
    res.end(JSON.stringify({ type: "https://mailchimp.com/developer/marketing/docs/errors/", title, status, detail, instance: md5(String(Math.random())) }));
  };

  /** One API operation (direct or inside a batch): [status, body]. */
  function operate(method: string, path: string, body: Record<string, unknown> | null): [number, unknown] {
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/ping") return [200, { health_status: "Everything's Chimpy!" }];
    if (method === "GET" && path === "/lists") return [200, { lists: lists.map((l) => ({ id: l.id, name: l.name, stats: { member_count: data.get(l.id)!.size } })), total_items: lists.length }];
    if ((m = /^\/lists\/([^/]+)\/members\/([0-9a-f]{32})$/.exec(path)) && method === "PUT") {
      const list = data.get(m[1]!);
      if (!list) return [404, { title: "Resource Not Found", status: 404, detail: "The requested resource could not be found." }];
      const email = String(body?.email_address ?? "");
      if (!email.includes("@")) return [400, { title: "Invalid Resource", status: 400, detail: "Please provide a valid email address." }];
      if (md5(email.toLowerCase()) !== m[2]) return [400, { title: "Invalid Resource", status: 400, detail: "The subscriber hash does not match the email address." }];
      const existing = list.get(m[2]!);
      const status = (existing ? (body?.status ?? existing.status) : (body?.status_if_new ?? body?.status)) as string | undefined;
      if (!status || !["subscribed", "unsubscribed", "cleaned", "pending", "transactional"].includes(status)) return [400, { title: "Invalid Resource", status: 400, detail: "The resource submitted could not be validated. status_if_new is required." }];
      const member = existing ?? { email, status, mergeFields: {}, tags: new Set<string>() };
      member.email = email;
      member.status = status;
      Object.assign(member.mergeFields, (body?.merge_fields as Record<string, string>) ?? {});
      list.set(m[2]!, member);
      return [200, { id: m[2], email_address: email, status, merge_fields: member.mergeFields, list_id: m[1] }];
    }
    if ((m = /^\/lists\/([^/]+)\/members\/([0-9a-f]{32})$/.exec(path)) && method === "PATCH") {
      const member = data.get(m[1]!)?.get(m[2]!);
      if (!member) return [404, { title: "Resource Not Found", status: 404, detail: "The requested resource could not be found." }];
      if (body?.status) member.status = String(body.status);
      return [200, { id: m[2], email_address: member.email, status: member.status }];
    }
    if ((m = /^\/lists\/([^/]+)\/members\/([0-9a-f]{32})\/actions\/delete-permanent$/.exec(path)) && method === "POST") {
      const list = data.get(m[1]!);
      if (!list?.has(m[2]!)) return [404, { title: "Resource Not Found", status: 404, detail: "The requested resource could not be found." }];
      list.delete(m[2]!);
      return [204, null];
    }
    if ((m = /^\/lists\/([^/]+)\/members\/([0-9a-f]{32})\/tags$/.exec(path)) && method === "POST") {
      const member = data.get(m[1]!)?.get(m[2]!);
      if (!member) return [404, { title: "Resource Not Found", status: 404, detail: "The requested resource could not be found." }];
      for (const t of (body?.tags as { name: string; status: string }[]) ?? []) {
        if (t.status === "active") member.tags.add(t.name);
        else if (t.status === "inactive") member.tags.delete(t.name);
        else return [400, { title: "Invalid Resource", status: 400, detail: "tag status must be active or inactive" }];
      }
      return [204, null];
    }
    return [404, { title: "Resource Not Found", status: 404, detail: `no route ${method} ${path}` }];
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url!, origin);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    const results = /^\/batch-results\/(\w+)\.tar\.gz$/.exec(url.pathname);
    if (results) {
      // Like Mailchimp's S3 link: no API authentication.
      const batch = batches.get(results[1]!);
      if (!batch) return problem(res, 404, "Not Found", "no such archive");
      const p = pack();
      p.entry({ name: `${results[1]}/` , type: "directory" });
      p.entry({ name: `${results[1]}/${results[1]}.json` }, JSON.stringify(batch.results));
      p.finalize();
      const tar: Buffer[] = [];
      for await (const c of p) tar.push(c as Buffer);
      res.writeHead(200, { "Content-Type": "application/x-gzip" });
      return res.end(gzipSync(Buffer.concat(tar)));
    }
    const m = /^\/([a-z]+\d+)\/3\.0(\/.*)$/.exec(url.pathname);
    if (!m) return problem(res, 404, "Resource Not Found", "unknown path");
    const path = m[2]!.replace(/\/$/, "");
    requests.push({ method: req.method!, path, body });
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
    const password = auth ? Buffer.from(auth[1]!, "base64").toString("utf8").split(":").slice(1).join(":") : "";
    if (password !== apiKey || m[1] !== dc) {
      return problem(res, 401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter.");
    }
    if (failures.count > 0) {
      failures.count--;
      return failures.status === 429
        ? problem(res, 429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections.")
        : problem(res, failures.status, "Internal Server Error", "An unexpected internal error has occurred.");
    }
    let b: RegExpExecArray | null;
    if (req.method === "POST" && path === "/batches") {
      const id = md5(String(Math.random())).slice(0, 10);
      const ops = (body?.operations as { method: string; path: string; body?: string; operation_id?: string }[]) ?? [];
      const out = ops.map((op) => {
        const [status, resBody] = operate(op.method, op.path, op.body ? (JSON.parse(op.body) as Record<string, unknown>) : null);
        return { status_code: status, operation_id: op.operation_id ?? "", response: JSON.stringify(resBody ?? {}) };
      });
      batches.set(id, { polls: 0, results: out });
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ id, status: "pending", total_operations: ops.length, finished_operations: 0, errored_operations: 0, response_body_url: "" }));
    }
    if (req.method === "GET" && (b = /^\/batches\/(\w+)$/.exec(path))) {
      const batch = batches.get(b[1]!);
      if (!batch) return problem(res, 404, "Resource Not Found", "The requested resource could not be found.");
      const done = ++batch.polls >= (opts.batchPollsUntilDone ?? 2);
      const errored = batch.results.filter((r) => r.status_code >= 300).length;
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(
        JSON.stringify({
          id: b[1],
          status: done ? "finished" : "started",
          total_operations: batch.results.length,
          finished_operations: done ? batch.results.length : 0,
          errored_operations: done ? errored : 0,
          response_body_url: done ? `${origin}/batch-results/${b[1]}.tar.gz` : "",
        }),
      );
    }
    const [status, resBody] = operate(req.method!, path, body);
    if (status >= 300) return problem(res, status, (resBody as { title: string }).title, (resBody as { detail: string }).detail);
    if (status === 204) {
      res.writeHead(204);
      return res.end();
    }
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(resBody));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => problem(res, 500, "Internal Server Error", e.message));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    apiBase: `${origin}/server/3.0`,
    apiKey,
    members: (id) => data.get(id)!,
    requests,
    failNext(count, status) {
      failures = { count, status };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

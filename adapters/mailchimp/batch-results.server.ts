// A finished Mailchimp batch's results: a gzipped tar of JSON files, each an array of
// { status_code, operation_id, response } (response is the operation's JSON body as a string).
import { gunzipSync } from "node:zlib";
import { Readable } from "node:stream";
import { extract } from "tar-stream";

export interface BatchOperationResult {
  operationId: string;
  status: number;
  /** Mailchimp's error title/detail for a failed operation. */
  error: string | null;
}

export async function readBatchResults(archive: Buffer): Promise<BatchOperationResult[]> {
  const results: BatchOperationResult[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        if (header.type === "file" && header.name.endsWith(".json")) {
          const items = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { status_code: number; operation_id: string; response: string }[];
          for (const item of items) {
            let error: string | null = null;
            if (item.status_code >= 300) {
              try {
                const body = JSON.parse(item.response) as { title?: string; detail?: string };
                error = [body.title, body.detail].filter(Boolean).join(" — ") || `HTTP ${item.status_code}`;
              } catch {
                error = `HTTP ${item.status_code}`;
              }
            }
            results.push({ operationId: item.operation_id, status: item.status_code, error });
          }
        }
        next();
      });
      stream.resume();
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  Readable.from([gunzipSync(archive)]).pipe(ex);
  await done;
  return results;
}

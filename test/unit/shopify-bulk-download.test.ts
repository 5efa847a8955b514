// downloadBulkResult hands back the result file's body to read later: the backfill first opens the
// bulk loader and starts the parse thread (database round trips, a thread booting tsx), and only
// then reads. fetch (undici) cancels the body of a Response that is garbage-collected while that
// body is neither locked nor read, and the cancelled body then reads as an empty file, with no
// error: the flake of faults-worker-kill "a backfill" ("bulk products result held 0 of the 33
// objects Shopify reported"), and before the root-count check a backfill run "done" with 0 of
// 1039 orders. Here the collection is forced between the download and the first read.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql } from "../../adapters/shopify/admin-graphql.server.ts";
import { BULK_QUERIES, downloadBulkResult, readBulkJsonl, readLines, startBulkQuery, waitForBulkOperation } from "../../adapters/shopify/bulk-operations.server.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { collectGarbage } from "../support/force-gc.ts";

const SHOP = "bulk-download.myshopify.com";
const TOKEN = "shpat_bulk_download";

describe("downloadBulkResult", () => {
  let simulator: AdminSimulator;
  beforeAll(async () => {
    simulator = await startAdminSimulator({ store: { seed: 44, customers: 40, shopDomain: SHOP }, accessToken: TOKEN });
  });
  afterAll(() => simulator.close());

  it("keeps the whole file when a garbage collection runs between the download and the first read", async () => {
    const client = createAdminGraphql({ shop: SHOP, accessToken: TOKEN, apiVersion: simulator.apiVersion, endpoint: simulator.endpoint });
    const products = simulator.summary().products;
    expect(products).toBeGreaterThan(0);
    // Several downloads, as a backfill's phases: each body waits through collections before it is read.
    for (let i = 0; i < 3; i++) {
      const started = await startBulkQuery(client, BULK_QUERIES.products);
      const state = await waitForBulkOperation(client, started.id, { intervalMs: 5 });
      expect(state.rootObjectCount).toBe(products);
      const body = await downloadBulkResult(state.url!);
      await collectGarbage();
      let records = 0;
      let lines = 0;
      for await (const record of readBulkJsonl(body)) {
        records++;
        lines += 1 + record.children.length;
      }
      expect({ records, lines }).toEqual({ records: state.rootObjectCount, lines: state.objectCount });
    }
  });
});

describe("downloadBulkResult against a plain file server", () => {
  let server: Server;
  let url = "";
  /** Per request: whether the response was written to its end before its connection closed. */
  const served: Promise<{ finished: boolean }>[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/missing.jsonl") {
        res.writeHead(404, { "Content-Type": "application/xml" }).end("<Error><Code>NoSuchKey</Code></Error>");
        return;
      }
      served.push(new Promise((resolve) => res.once("close", () => resolve({ finished: res.writableFinished }))));
      res.writeHead(200, { "Content-Type": "application/jsonl" });
      // A long file, written as the reader takes it (backpressure), so a reader that stops early leaves most of it unsent.
      let n = 0;
      const write = () => {
        while (n < 200_000) {
          if (!res.write(`{"id":"gid://shopify/Product/${++n}","title":"${"x".repeat(200)}"}\n`)) {
            res.once("drain", write);
            return;
          }
        }
        res.end();
      };
      write();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("a reader that stops early aborts the download (cancel reaches the HTTP response)", async () => {
    const body = await downloadBulkResult(`${url}/big.jsonl`);
    let lines = 0;
    for await (const _line of readLines(body)) if (++lines === 10) break;
    expect(lines).toBe(10);
    expect(await served[served.length - 1]).toEqual({ finished: false });
  });

  it("reads a whole file after collections, line for line", async () => {
    const body = await downloadBulkResult(`${url}/big.jsonl`);
    await collectGarbage();
    let lines = 0;
    for await (const line of readLines(body)) if (line) lines++;
    expect(lines).toBe(200_000);
    expect(await served[served.length - 1]).toEqual({ finished: true });
  });

  it("a missing file is an error, not an empty file", async () => {
    await expect(downloadBulkResult(`${url}/missing.jsonl`)).rejects.toThrow("downloading the bulk result failed: HTTP 404");
  });
});

import fs from "node:fs";
import { readBulkJsonl } from "./adapters/shopify/bulk-operations.server.ts";
import { normalizeBulkRecord } from "./adapters/shopify/normalize-graphql.ts";
const file = "/tmp/bf/orders.jsonl";
let n = 0;
for (let r = 0; r < 15; r++)
  for await (const rec of readBulkJsonl(fs.createReadStream(file, { highWaterMark: 1 << 20 }))) { normalizeBulkRecord(rec, { shopCurrency: "BRL" }); n++; }
const u = process.resourceUsage();
console.log(n, "cpu", ((u.userCPUTime + u.systemCPUTime) / 1e6).toFixed(2), "s");

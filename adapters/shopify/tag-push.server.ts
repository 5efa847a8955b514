// Pushing segment tags to Shopify customers. Small pushes call tagsAdd / tagsRemove per customer
// (a few at a time; the client waits for the cost bucket). Large pushes use a bulk mutation:
// the variables go to Shopify as a JSONL file through a staged upload, one bulk operation runs
// tagsAdd over all of them and a second one tagsRemove, and the result files say, line by line,
// which customer failed and why. One call per customer for thousands of customers would take
// minutes of rate-limit budget; a bulk mutation does not count against it.
import type { TagChange, TagChangeResult } from "#app/core/tags/segment-tags.ts";
import { ShopifyApiError, type AdminGraphqlClient } from "./admin-graphql.server.ts";
import { BulkOperationError, downloadBulkResult, readLines, waitForBulkOperation, type WaitOptions } from "./bulk-operations.server.ts";

export const TAGS_ADD = `mutation caderninhoTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;

export const TAGS_REMOVE = `mutation caderninhoTagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;

export const STAGED_UPLOADS_CREATE = `mutation caderninhoStagedUpload($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}`;

export const BULK_RUN_MUTATION = `mutation caderninhoBulkMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const customerGid = (platformId: string) => `gid://shopify/Customer/${platformId}`;

export interface ShopifyTagPushOptions {
  /** Above this many changes, use bulk mutations (default 250). */
  bulkThreshold?: number;
  /** Direct calls in flight at once (default 4). */
  concurrency?: number;
  wait?: WaitOptions;
  fetch?: typeof fetch;
}

export interface ShopifyTagPushOutcome {
  mode: "direct" | "bulk" | "none";
  results: TagChangeResult[];
}

export async function pushShopifyTagChanges(client: AdminGraphqlClient, changes: TagChange[], options: ShopifyTagPushOptions = {}): Promise<ShopifyTagPushOutcome> {
  if (changes.length === 0) return { mode: "none", results: [] };
  if (changes.length > (options.bulkThreshold ?? 250)) return { mode: "bulk", results: await pushInBulk(client, changes, options) };
  return { mode: "direct", results: await pushDirectly(client, changes, options.concurrency ?? 4) };
}

function reasonOf(error: unknown): string {
  if (error instanceof ShopifyApiError && error.userErrors.length) return error.userErrors.map((e) => e.message).join("; ");
  return error instanceof Error ? error.message : String(error);
}

async function pushDirectly(client: AdminGraphqlClient, changes: TagChange[], concurrency: number): Promise<TagChangeResult[]> {
  const results: TagChangeResult[] = new Array(changes.length);
  let next = 0;
  const worker = async () => {
    while (next < changes.length) {
      const index = next++;
      const change = changes[index]!;
      const id = customerGid(change.platformId);
      try {
        if (change.add.length) await client.request(TAGS_ADD, { id, tags: change.add });
        if (change.remove.length) await client.request(TAGS_REMOVE, { id, tags: change.remove });
        results[index] = { customerId: change.customerId, ok: true };
      } catch (error) {
        // Throttling and 5xx were already retried by the client; what reaches here is final.
        results[index] = { customerId: change.customerId, ok: false, reason: reasonOf(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, changes.length) }, worker));
  return results;
}

/** The StagedUploadInput for a JSONL file of bulk mutation variables (exported for the schema test). */
export const bulkVariablesUploadInput = (filename: string) => ({ resource: "BULK_MUTATION_VARIABLES", filename, mimeType: "text/jsonl", httpMethod: "POST" });

/** Upload a JSONL file of mutation variables; returns the stagedUploadPath (the form's `key`). */
export async function stageJsonl(client: AdminGraphqlClient, filename: string, jsonl: string, doFetch: typeof fetch = globalThis.fetch): Promise<string> {
  const { data } = await client.request<{
    stagedUploadsCreate: { stagedTargets: { url: string; resourceUrl: string | null; parameters: { name: string; value: string }[] }[] };
  }>(STAGED_UPLOADS_CREATE, { input: [bulkVariablesUploadInput(filename)] });
  const target = data.stagedUploadsCreate.stagedTargets[0];
  const key = target?.parameters.find((p) => p.name === "key")?.value;
  if (!target || !key) throw new BulkOperationError("stagedUploadsCreate returned no target with a key");
  // The signed form fields first, the file last: the storage service reads them in that order.
  const form = new FormData();
  for (const { name, value } of target.parameters) form.append(name, value);
  form.append("file", new Blob([jsonl], { type: "text/jsonl" }), filename);
  const response = await doFetch(target.url, { method: "POST", body: form });
  if (!response.ok) throw new BulkOperationError(`uploading ${filename} failed: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  return key;
}

/** Runs `mutation` once per JSONL line and returns each line's payload (index = line number). */
async function runBulkMutation(
  client: AdminGraphqlClient,
  mutation: string,
  field: "tagsAdd" | "tagsRemove",
  variables: Record<string, unknown>[],
  options: ShopifyTagPushOptions,
): Promise<Map<number, string | null>> {
  const jsonl = variables.map((v) => JSON.stringify(v)).join("\n") + "\n";
  const path = await stageJsonl(client, `caderninho-${field}.jsonl`, jsonl, options.fetch);
  const { data } = await client.request<{ bulkOperationRunMutation: { bulkOperation: { id: string } | null } }>(BULK_RUN_MUTATION, {
    mutation,
    stagedUploadPath: path,
    clientIdentifier: `caderninho-${field}-${Date.now()}`,
  });
  const operation = data.bulkOperationRunMutation.bulkOperation;
  if (!operation) throw new BulkOperationError("bulkOperationRunMutation returned no bulk operation");
  const state = await waitForBulkOperation(client, operation.id, options.wait);
  /** line number → null (ok) or the reason it failed. */
  const outcome = new Map<number, string | null>();
  if (!state.url) return outcome;
  for await (const line of readLines(await downloadBulkResult(state.url, { fetch: options.fetch }))) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { __lineNumber?: number; data?: Record<string, { userErrors?: { message: string }[] } | null>; errors?: { message: string }[] };
    if (typeof row.__lineNumber !== "number") continue;
    const payload = row.data?.[field];
    const problems = [...(row.errors ?? []), ...(payload?.userErrors ?? [])].map((e) => e.message);
    outcome.set(row.__lineNumber, problems.length ? problems.join("; ") : payload ? null : "no result");
  }
  return outcome;
}

async function pushInBulk(client: AdminGraphqlClient, changes: TagChange[], options: ShopifyTagPushOptions): Promise<TagChangeResult[]> {
  const failures = new Map<number, string>();
  for (const [field, mutation] of [
    ["tagsAdd", TAGS_ADD],
    ["tagsRemove", TAGS_REMOVE],
  ] as const) {
    const indexes = changes.flatMap((change, index) => ((field === "tagsAdd" ? change.add : change.remove).length ? [index] : []));
    if (!indexes.length) continue;
    const variables = indexes.map((i) => ({ id: customerGid(changes[i]!.platformId), tags: field === "tagsAdd" ? changes[i]!.add : changes[i]!.remove }));
    const outcome = await runBulkMutation(client, mutation, field, variables, options);
    indexes.forEach((changeIndex, line) => {
      const problem = outcome.has(line) ? outcome.get(line) : "missing from the bulk result";
      if (problem) failures.set(changeIndex, failures.has(changeIndex) ? `${failures.get(changeIndex)}; ${problem}` : problem);
    });
  }
  return changes.map((change, index) => {
    const reason = failures.get(index);
    return reason ? { customerId: change.customerId, ok: false, reason } : { customerId: change.customerId, ok: true };
  });
}

// A transaction on the node-postgres pool under a Db that answers `$queryRaw` / `$executeRaw` like
// a Prisma transaction client, for set-based code written against Prisma.sql. Why: Prisma's client
// engine sends every raw statement through its query compiler (the parameters serialised to JSON
// and into WebAssembly, the plan interpreted back), which for a webhook batch of hundreds of rows
// cost more CPU in the worker than the statements themselves (profile at 500 deliveries/s). Only
// raw SQL is available here: code that needs the model API must use a Prisma transaction.
//
// Values travel and come back as they do through Prisma with @prisma/adapter-pg: a Date parameter
// is sent as its UTC ISO text (our columns are UTC `timestamp(3)`), a bigint as text, and a
// `timestamp` result is read as UTC, an int8 result as a bigint.
import { Prisma } from "@prisma/client";
import pg from "pg";
import { poolOf, type Db } from "./client.server.ts";

export interface RawTx {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
}

const TIMESTAMP = 1114;
const INT8 = 20;
const DATE = 1082;

/** Result parsers matching Prisma's: `timestamp` and `date` as UTC, int8 as bigint. */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP) return (v: string) => new Date(`${v.replace(" ", "T")}Z`);
    if (oid === DATE) return (v: string) => new Date(`${v}T00:00:00Z`);
    if (oid === INT8) return (v: string) => BigInt(v);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

function param(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(param);
  return v;
}

const isTemplate = (q: TemplateStringsArray | Prisma.Sql): q is TemplateStringsArray => Array.isArray(q);

function statement(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): pg.QueryConfig {
  // A tagged-template call passes the strings array; a Prisma.sql fragment comes as one object.
  const sql = isTemplate(query) ? Prisma.sql(query, ...values) : query;
  return { text: sql.text, values: sql.values.map(param), types };
}

/**
 * Raw SQL on a checked-out client (inside a BEGIN the caller issued), or on the pool itself for
 * single statements outside a transaction (rawQueries).
 */
export function rawTxOf(client: Pick<pg.ClientBase, "query">): RawTx {
  return {
    async $queryRaw<T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) {
      return (await client.query(statement(query, values))).rows as T;
    },
    async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) {
      return (await client.query(statement(query, values))).rowCount ?? 0;
    },
  };
}

/** $queryRaw / $executeRaw on the node-postgres pool, outside any transaction, with Prisma's value mapping. */
export function rawQueries(db: Db): RawTx {
  return rawTxOf(poolOf(db));
}

/**
 * Run `fn` in one transaction on a pooled connection: COMMIT when it resolves, ROLLBACK when it
 * throws. `timeoutMs` bounds each statement (as Prisma's interactive-transaction timeout bounds the
 * whole, so a stuck batch cannot hold its row locks for ever).
 */
export async function rawTransaction<T>(db: Db, fn: (tx: RawTx) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const client = await poolOf(db).connect();
  // A connection whose ROLLBACK failed may be unusable: it is closed, not handed to the next caller.
  let broken = false;
  try {
    await client.query("BEGIN");
    try {
      if (opts.timeoutMs) await client.query(`SET LOCAL statement_timeout = ${Math.floor(opts.timeoutMs)}`);
      const result = await fn(rawTxOf(client));
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => void (broken = true));
      throw e;
    }
  } finally {
    client.release(broken);
  }
}

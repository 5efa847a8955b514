// Helpers for the privacy and security tests: a logged-in standalone cookie for a chosen store,
// and a walk over every text/json column of every table of the database (all schemas, so tables
// added later — by any area, or pg-boss — are covered without editing the test).
import { expect } from "vitest";
import pg from "pg";
import { standaloneSessions } from "../../app/auth/standalone.server.ts";
import type { Services } from "../../app/server/services.server.ts";

/** Cookie header of a standalone admin session pinned to `storeId` (as the store switcher does). */
export async function adminCookieFor(services: Services, storeId: number): Promise<string> {
  const storage = standaloneSessions(services);
  const session = await storage.getSession();
  session.set("loggedIn", true);
  session.set("storeId", storeId);
  return (await storage.commitSession(session)).split(";")[0]!;
}

export interface Trace {
  table: string;
  column: string;
  needle: string;
  rows: number;
}

/** Every (schema.table, column) holding text, json or arrays, and the rows where any needle appears. */
export async function findTraces(databaseUrl: string, needles: string[]): Promise<{ traces: Trace[]; columnsChecked: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ schema: string; table: string; column: string }>(`
      SELECT c.table_schema AS schema, c.table_name AS "table", c.column_name AS column
      FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR c.data_type = 'ARRAY' OR c.data_type = 'USER-DEFINED')
      ORDER BY 1, 2, 3`);
    const traces: Trace[] = [];
    for (const { schema, table, column } of columns) {
      for (const needle of needles) {
        const sql = `SELECT count(*)::int AS n FROM "${schema}"."${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`;
        const { rows } = await client.query<{ n: number }>(sql, [needle]);
        if (rows[0]!.n > 0) traces.push({ table: `${schema}.${table}`, column, needle, rows: rows[0]!.n });
      }
    }
    return { traces, columnsChecked: columns.length };
  } finally {
    await client.end();
  }
}

export async function expectNoTrace(databaseUrl: string, needles: string[]): Promise<number> {
  const { traces, columnsChecked } = await findTraces(databaseUrl, needles);
  expect(traces).toEqual([]);
  return columnsChecked;
}

// Migrations apply to an empty database, record themselves the way Prisma does, and are idempotent.
import { describe, expect, it, inject } from "vitest";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { applyMigrations, readMigrations } from "../../app/db/migrate.server.ts";
import { withDatabase } from "../../app/db/embedded-postgres.server.ts";

describe("migrations", () => {
  it("apply to an empty database, then find nothing left to do", async () => {
    const server = inject("pgServerUrl");
    const name = `caderninho_test_empty_${randomBytes(4).toString("hex")}`;
    const url = withDatabase(server, name);
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    try {
      const first = await applyMigrations(url); // creates the database too
      const expected = readMigrations().map((m) => m.name);
      expect(first).toEqual(expected);
      expect(await applyMigrations(url)).toEqual([]);

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const tables = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      const names = tables.rows.map((r) => r.table_name);
      for (const t of ["Store", "Customer", "Order", "OrderLine", "Product", "Checkout", "Payment", "CustomerStats", "Segment", "SegmentMember", "Flow", "FlowStep", "Message", "Event", "WebhookReceipt", "ProductPair", "Session", "SyncRun"]) {
        expect(names).toContain(t);
      }
      // Same bookkeeping as `prisma migrate deploy`: name + sha256 of the file, finished.
      const rows = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
        `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.rows.map((r) => [r.migration_name, r.checksum])).toEqual(readMigrations().map((m) => [m.name, m.checksum]));
      expect(rows.rows.every((r) => r.finished_at !== null)).toBe(true);
      // Every tenant table carries storeId first in its primary key.
      const pk = await client.query<{ table_name: string; column_name: string }>(`
        SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.ordinal_position = 1
        WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'
          AND tc.table_name NOT IN ('Store', 'Session', '_prisma_migrations')`);
      expect(pk.rows.length).toBeGreaterThan(15);
      for (const r of pk.rows) expect([r.table_name, r.column_name]).toEqual([r.table_name, "storeId"]);
      await client.end();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it("refuse to continue past a migration that failed", async () => {
    const server = inject("pgServerUrl");
    const name = `caderninho_test_failed_${randomBytes(4).toString("hex")}`;
    const url = withDatabase(server, name);
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migs-"));
    fs.mkdirSync(path.join(dir, "001_ok"));
    fs.writeFileSync(path.join(dir, "001_ok", "migration.sql"), "CREATE TABLE a (id int);");
    fs.mkdirSync(path.join(dir, "002_bad"));
    fs.writeFileSync(path.join(dir, "002_bad", "migration.sql"), "CREATE TABLE b (id int); SELECT * FROM missing_table;");
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    try {
      await expect(applyMigrations(url, { dir })).rejects.toThrow(/002_bad failed: relation "missing_table" does not exist/);
      // The failed file left nothing half-applied (one implicit transaction)…
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const b = await client.query("SELECT to_regclass('public.b') AS t");
      expect(b.rows[0].t).toBeNull();
      await client.end();
      // …and the next start says how to resolve it instead of silently skipping it.
      await expect(applyMigrations(url, { dir })).rejects.toThrow(/002_bad failed earlier.*migrate resolve/);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

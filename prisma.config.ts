// Prisma CLI configuration. Everything unusual here exists for one reason: Prisma's CLI normally
// downloads native engine binaries from binaries.prisma.sh, which is unreachable on our build
// machines. Prisma 6.19 can instead run its bundled Wasm schema engine over a driver adapter
// (`engine: "js"`), and the generator uses `engineType = "client"` so no query engine is needed.
// See ../shared/notes/prisma.md (recipe B). On a machine with normal internet the same schema and
// migrations work with stock Prisma.
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// The 6.19 CLI validates `url = env("DATABASE_URL")`; when it cannot resolve it, it falls back to
// the native library engine and tries to download it. `prisma generate` needs no real database, so
// a placeholder is enough there; migrate commands are run by app/db/migrate.server.ts with the real
// URL set.
const url = (process.env.DATABASE_URL ??= "postgresql://postgres:postgres@127.0.0.1:5432/caderninho");

// --- Workarounds for the Wasm schema engine + @prisma/adapter-pg 6.19 (used only by the CLI) ---
// 1. prisma/orm#27403: adapter-pg cannot map the catalog types `name` (OID 19) and `"char"` (OID 18)
//    that the schema describer reads; expose `name` as Text and `"char"` as Character.
// 2. Pass discrete connection fields, not `connectionString`: adapter-pg builds the shadow DB pool as
//    { ...config, database: "prisma_migrate_shadow_db_<uuid>" } and pg lets a connectionString
//    override `database`, so the "shadow" DB would silently be the main DB.
// 3. adapter-pg's executeScript() splits on ";" which breaks $$-quoted function bodies: send the
//    whole script as one simple-protocol query (what the native engine does).
// 4. adapter-pg's connectToShadowDb() drops the shadow DB *before* closing its pool, which fails with
//    "database ... is being accessed by other users"; replace it with one that closes first.
const CHARACTER = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils
let patched = false;

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-this-alias -- patches private adapter-pg internals */
function patchQueryable(proto: any) {
  const origQueryRaw = proto.queryRaw;
  const origPerformIO = proto.performIO;
  proto.queryRaw = async function (query: unknown) {
    const self = this;
    let isChar: boolean[] = [];
    const shim = Object.create(self, {
      performIO: {
        value: async (q: unknown) => {
          const res = await origPerformIO.call(self, q);
          isChar = res.fields.map((f: any) => f.dataTypeID === 18);
          for (const f of res.fields) if (f.dataTypeID === 18 || f.dataTypeID === 19) f.dataTypeID = 25;
          return res;
        },
      },
    });
    const out = await origQueryRaw.call(shim, query);
    isChar.forEach((c, i) => {
      if (c) out.columnTypes[i] = CHARACTER;
    });
    return out;
  };
}

async function adminQuery(cfg: pg.ClientConfig, sql: string) {
  const c = new pg.Client(cfg);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function migrationAdapter() {
  const u = new URL(url);
  const cfg = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
  // allowExitOnIdle: otherwise the CLI waits for pg's 10 s idle timeout before it can exit.
  const factory = new PrismaPg({ ...cfg, allowExitOnIdle: true, idleTimeoutMillis: 100 });
  factory.connectToShadowDb = async () => {
    const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await adminQuery(cfg, `CREATE DATABASE "${name}"`);
    const adapter = await new PrismaPg({ ...cfg, database: name, allowExitOnIdle: true, idleTimeoutMillis: 100 }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await adminQuery(cfg, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  };
  if (!patched) {
    const probe = await factory.connect();
    const adapterProto: any = Object.getPrototypeOf(probe); // PrismaPgAdapter.prototype
    adapterProto.executeScript = async function (script: string) {
      try {
        await this.client.query(script);
      } catch (e) {
        this.onError(e);
      }
    };
    patchQueryable(Object.getPrototypeOf(adapterProto)); // PgQueryable.prototype
    await probe.dispose();
    patched = true;
  }
  return factory;
}
/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-this-alias */

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  engine: "js",
  experimental: { adapter: true },
  adapter: migrationAdapter,
});

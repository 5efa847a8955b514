// Configuration, read once from the environment and validated with zod. A missing or malformed
// variable stops the process with one line naming it (see ConfigError), never a stack trace deep
// inside a library. Every variable is listed, with a comment, in .env.example.
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .transform((v) => v === "1" || v === "true" || v === "yes");

const base64Key32 = z
  .string()
  .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)");

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    /** Public URL of the app (Shopify's application_url). Defaults to http://localhost:PORT. */
    APP_URL: z.url().optional(),
    /** Set when a proxy/load balancer in front of the app sets X-Forwarded-For. */
    TRUST_PROXY: bool.default(false),
    /** Any PostgreSQL. Unset: start the embedded PostgreSQL under .data/pg. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    DATA_DIR: z.string().min(1).default(".data"),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    SHOPIFY_API_KEY: z.string().min(1).optional(),
    SHOPIFY_API_SECRET: z.string().min(1).optional(),
    SCOPES: z.string().optional(),
    /**
     * Send Admin API calls to this origin instead of https://{shop} (a local Shopify simulator in
     * tests and demos; never set in production).
     */
    SHOPIFY_ADMIN_ORIGIN: z.url().optional(),
    /**
     * Mailchimp Marketing API base with "server" where the data centre goes (default
     * https://server.api.mailchimp.com/3.0); a local simulator in tests, never set in production.
     */
    MAILCHIMP_API_BASE: z.url().optional(),
    /** Standalone admin password. Unset: a one-time password is printed at start-up. */
    ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
    /** Signs the standalone admin cookie. Unset: generated once and kept in DATA_DIR/secrets.json. */
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    /** AES-256-GCM key for credentials at rest; ENCRYPTION_KEY_OLD decrypts during a rotation. */
    ENCRYPTION_KEY: base64Key32.optional(),
    ENCRYPTION_KEY_OLD: base64Key32.optional(),
    /** Create and fill the demo store in standalone mode. */
    DEMO_STORE: bool.default(true),
    DEMO_CUSTOMERS: z.coerce.number().int().min(10).max(1_000_000).default(3000),
    DEMO_SEED: z.coerce.number().int().default(42),
    /**
     * Where `npm start` runs the job workers: `child` (a child process, the default: the web event
     * loop only answers requests), `inline` (inside the web process), `off` (`npm run worker`
     * runs them elsewhere).
     */
    WORKERS: z.enum(["child", "inline", "off"]).default("child"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    /** Largest webhook body we accept, in bytes (Shopify's largest payloads are well under this). */
    WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  })
  .superRefine((env, ctx) => {
    if (env.SHOPIFY_API_KEY && !env.SHOPIFY_API_SECRET) {
      ctx.addIssue({ code: "custom", path: ["SHOPIFY_API_SECRET"], message: "is required when SHOPIFY_API_KEY is set" });
    }
    if (env.SHOPIFY_API_KEY && !env.APP_URL) {
      ctx.addIssue({ code: "custom", path: ["APP_URL"], message: "is required when SHOPIFY_API_KEY is set (your app's public https URL)" });
    }
    if (env.NODE_ENV === "production" && !env.ENCRYPTION_KEY) {
      ctx.addIssue({ code: "custom", path: ["ENCRYPTION_KEY"], message: "is required in production" });
    }
  });

export type Config = z.infer<typeof schema> & {
  /** Embedded Shopify mode is on when the app has Shopify credentials. */
  shopifyEnabled: boolean;
  appUrl: string;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parse an environment (process.env by default). Throws ConfigError with one line per problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Treat empty strings as unset, as .env files and shells commonly produce them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.join(".") || "environment";
      const value = cleaned[name];
      const shown = value === undefined ? "" : ` (got "${/SECRET|PASSWORD|KEY/.test(name) ? "***" : value}")`;
      const msg = i.code === "invalid_value" || i.code === "invalid_type" || i.message.startsWith("Invalid") ? i.message.toLowerCase() : i.message;
      return `Configuration error: ${name} ${msg}${shown}`;
    });
    throw new ConfigError(lines.join("\n"));
  }
  const c = parsed.data;
  return {
    ...c,
    shopifyEnabled: Boolean(c.SHOPIFY_API_KEY),
    appUrl: (c.APP_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ""),
  };
}

// Secrets a fresh checkout needs but nobody configured yet (session secret, encryption key, the
// demo store's webhook secret): generated once and kept in DATA_DIR/secrets.json, readable only
// by the owner. Production sets them through the environment instead (config.server.ts).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface LocalSecrets {
  sessionSecret: string;
  encryptionKey: string;
  /** HMAC secret the built-in store simulator signs demo webhooks with (standalone mode). */
  demoWebhookSecret: string;
}

export function loadLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, "secrets.json");
  let current: Partial<LocalSecrets> = {};
  if (fs.existsSync(file)) current = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LocalSecrets>;
  const secrets: LocalSecrets = {
    sessionSecret: current.sessionSecret ?? randomBytes(32).toString("base64url"),
    encryptionKey: current.encryptionKey ?? randomBytes(32).toString("base64"),
    demoWebhookSecret: current.demoWebhookSecret ?? randomBytes(24).toString("base64url"),
  };
  if (JSON.stringify(secrets) !== JSON.stringify(current)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

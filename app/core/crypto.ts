// Secrets at rest (platform tokens, WooCommerce keys, email-provider API keys): AES-256-GCM with a
// random 96-bit IV per value. The envelope names its key ("k1" = ENCRYPTION_KEY, "k0" =
// ENCRYPTION_KEY_OLD) so values written before a key rotation still decrypt, and re-encrypting
// them moves them to the new key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface Keyring {
  current: string;
  previous?: string | null;
}

const VERSION = "v1";

function keyBytes(base64: string): Buffer {
  const k = Buffer.from(base64, "base64");
  if (k.length !== 32) throw new Error("encryption key must be 32 bytes (base64)");
  return k;
}

/** A short fingerprint of a key, so an envelope says which key it needs without revealing it. */
function keyId(base64: string): string {
  return createHash("sha256").update(keyBytes(base64)).digest("base64url").slice(0, 8);
}

export function encryptSecret(plaintext: string, keys: Keyring): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyBytes(keys.current), iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, keyId(keys.current), iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(":");
}

export function decryptSecret(envelope: string, keys: Keyring): string {
  const [version, kid, iv, tag, data] = envelope.split(":");
  if (version !== VERSION || !kid || !iv || !tag || data === undefined) throw new Error("not an encrypted secret envelope");
  const key = [keys.current, keys.previous].find((k): k is string => Boolean(k) && keyId(k!) === kid);
  if (!key) throw new Error("secret was encrypted with a key that is not configured (ENCRYPTION_KEY / ENCRYPTION_KEY_OLD)");
  const decipher = createDecipheriv("aes-256-gcm", keyBytes(key), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

/** True when the envelope was written with an older key and should be re-encrypted. */
export function needsReencryption(envelope: string, keys: Keyring): boolean {
  return envelope.split(":")[1] !== keyId(keys.current);
}

// The real public datasets under ../shared/data (see its README): tests read them in place and
// never copy them into the project. Where they are absent (a clone without ../shared), the tests
// that need them are skipped with a line saying so; the product never depends on them.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** CADERNINHO_SHARED_DATA overrides where the data lives. */
export const SHARED_DATA_DIR = process.env.CADERNINHO_SHARED_DATA ?? path.resolve(PROJECT_ROOT, "../shared/data");

/** Absolute path of a shared dataset file, or null (with one line on stderr) when it is absent. */
export function sharedDataFile(relative: string): string | null {
  const file = path.join(SHARED_DATA_DIR, relative);
  if (fs.existsSync(file)) return file;
  console.warn(`skipped: ${relative} is not in ${SHARED_DATA_DIR} (the shared datasets; set CADERNINHO_SHARED_DATA)`);
  return null;
}

// URL paths of the Remix flat-route files (app/routes), so tests can enumerate every admin page
// and resource route that exists when they run — including ones added by other areas later.
import fs from "node:fs";
import path from "node:path";

const ROUTES_DIR = path.resolve(import.meta.dirname, "../../app/routes");

/** Split a flat-route file name on its dots, keeping `[.]` escapes inside a segment. */
function segments(name: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < name.length; i++) {
    if (name.startsWith("[.]", i)) {
      cur += ".";
      i += 2;
    } else if (name[i] === ".") {
      out.push(cur);
      cur = "";
    } else cur += name[i];
  }
  out.push(cur);
  return out;
}

export interface RouteFile {
  file: string;
  /** Example URL path with every `$param` set to `sample` (splat `$` → "x"). */
  path: string;
}

export function routeFiles(sample = "1"): RouteFile[] {
  return fs
    .readdirSync(ROUTES_DIR)
    .filter((f) => /\.(tsx?|jsx?)$/.test(f))
    .map((file) => {
      const base = file.replace(/\.(tsx?|jsx?)$/, "");
      const parts = segments(base)
        .filter((s) => s !== "_index" && !s.startsWith("_"))
        .map((s) => (s === "$" ? "x" : s.startsWith("$") ? sample : s.replace(/_$/, "")));
      return { file, path: "/" + parts.join("/") };
    });
}

export const routeExists = (file: string): boolean => fs.existsSync(path.join(ROUTES_DIR, file));

// Where operator-chaos itself is installed: the directory holding its package.json (and schema/).

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Walks up from this module (src/experiment or dist/src/experiment) to the operator-chaos package root. */
export function packageRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(directory, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "operator-chaos") return directory;
      } catch {
        // an unreadable package.json of some other package: keep looking
      }
    }
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error("cannot find the operator-chaos package root");
    directory = parent;
  }
}

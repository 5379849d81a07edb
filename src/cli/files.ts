// Turning command-line arguments (files, directories, glob patterns) into the YAML files to read.
// Globs are expanded here because shells leave quoted patterns alone and Windows shells never expand.

import { readdir, stat } from "node:fs/promises";
import path from "node:path";

const YAML_FILE = /\.ya?ml$/i;
const GLOB_MAGIC = /[*?[{]/;

export interface CollectedFiles {
  /** In argument order; a directory's files sorted; no duplicates. */
  readonly files: readonly string[];
  /** Arguments that named nothing readable, with the reason. */
  readonly unmatched: readonly { readonly argument: string; readonly reason: string }[];
}

export async function collectYamlFiles(args: readonly string[]): Promise<CollectedFiles> {
  const files: string[] = [];
  const seen = new Set<string>();
  const unmatched: { argument: string; reason: string }[] = [];
  const add = (file: string): void => {
    const key = path.resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };
  for (const argument of args) {
    const info = await stat(argument).catch(() => undefined);
    if (info?.isDirectory()) {
      const found = await yamlFilesUnder(argument);
      if (found.length === 0) unmatched.push({ argument, reason: "directory holds no .yaml or .yml file" });
      found.forEach(add);
    } else if (info !== undefined) {
      add(argument);
    } else if (GLOB_MAGIC.test(argument)) {
      const found = await expandGlob(argument);
      if (found.length === 0) unmatched.push({ argument, reason: "no file matches this pattern" });
      found.forEach(add);
    } else {
      unmatched.push({ argument, reason: "no such file or directory" });
    }
  }
  return { files, unmatched };
}

/** Every YAML file below `directory`, sorted; hidden directories and node_modules are skipped. */
async function yamlFilesUnder(directory: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && entry.name !== "node_modules") await walk(full);
      } else if (YAML_FILE.test(entry.name)) {
        found.push(full);
      }
    }
  };
  await walk(directory);
  return found;
}

/**
 * Expands `*` (within a path segment), `**` (any number of segments), `?`, `[…]` and `{a,b}`.
 * Every file below the pattern's fixed leading directories is matched against it.
 */
export async function expandGlob(pattern: string): Promise<string[]> {
  const normalized = pattern.split(path.sep).join("/");
  const segments = normalized.split("/");
  const fixed: string[] = [];
  for (const segment of segments) {
    if (GLOB_MAGIC.test(segment)) break;
    fixed.push(segment);
  }
  const base = fixed.length === 0 ? "." : fixed.join("/") || "/";
  const matcher = globToRegExp(normalized);
  const matches: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = current === "." && fixed.length === 0 ? entry.name : `${current === "/" ? "" : current}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && entry.name !== "node_modules") await walk(full);
      } else if (matcher.test(full)) {
        matches.push(full);
      }
    }
  };
  await walk(base);
  return matches;
}

export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === "*") {
      if (pattern[index + 1] === "*") {
        const slashAfter = pattern[index + 2] === "/";
        source += slashAfter ? "(?:[^/]*/)*" : ".*";
        index += slashAfter ? 2 : 1;
      } else {
        source += "[^/]*";
      }
    } else if (char === "?") {
      source += "[^/]";
    } else if (char === "[") {
      const end = pattern.indexOf("]", index + 1);
      if (end === -1) {
        source += "\\[";
      } else {
        const body = pattern.slice(index + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
        source += `[${body}]`;
        index = end;
      }
    } else if (char === "{") {
      const end = pattern.indexOf("}", index + 1);
      if (end === -1) {
        source += "\\{";
      } else {
        const options = pattern.slice(index + 1, end).split(",").map((option) => option.replace(/[.+^$()|\\]/g, "\\$&").replace(/\*/g, "[^/]*"));
        source += `(?:${options.join("|")})`;
        index = end;
      }
    } else {
      source += char.replace(/[.+^$()|\\\]]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

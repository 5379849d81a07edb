// Which files a suite runs, as the Go tool collects them: a folder's *.yaml/*.yml (not sub-folders,
// unless --recursive: then also one level down), sorted by full path; files given by name as they are.

import { readdir, stat } from "node:fs/promises";
import path from "node:path";

export class SuiteFilesError extends Error {}

const isYaml = (name: string) => name.endsWith(".yaml") || name.endsWith(".yml");

async function folderFiles(dir: string, recursive: boolean): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (!entry.isDirectory() && isYaml(entry.name)) found.push(full);
    else if (entry.isDirectory() && recursive) {
      for (const inner of await readdir(full, { withFileTypes: true })) if (!inner.isDirectory() && isYaml(inner.name)) found.push(path.join(full, inner.name));
    }
  }
  return found.sort();
}

export async function collectSuiteFiles(sources: readonly string[], recursive: boolean): Promise<{ files: string[]; suiteName: string }> {
  const files: string[] = [];
  for (const source of sources) {
    const info = await stat(source).catch(() => undefined);
    if (!info) throw new SuiteFilesError(`reading ${source}: no such file or directory`);
    if (info.isDirectory()) {
      const found = await folderFiles(source, recursive);
      if (found.length === 0) {
        throw new SuiteFilesError(`no experiment files found in ${source} (expected *.yaml or *.yml files${recursive ? " in it or one folder down" : "; sub-folders need --recursive"})`);
      }
      files.push(...found);
    } else {
      files.push(source);
    }
  }
  const unique = [...new Set(files)];
  const first = sources[0]!;
  return { files: unique, suiteName: path.basename(path.resolve(first)) };
}

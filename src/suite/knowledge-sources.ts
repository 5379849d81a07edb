// Which knowledge models a command uses: --knowledge files and --knowledge-dir first; only without
// them does --profile NAME give profiles/<NAME>/knowledge/ (then knowledge/<NAME>/), as in the Go
// tool, with the bundled profiles as a last resort.

import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { allDiagnostics, validateFile } from "../experiment/validate.js";
import { formatDiagnostic } from "../experiment/diagnostic.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { bundledProfilesDir } from "../generate/files.js";

export interface KnowledgeSourceOptions {
  readonly knowledge?: readonly string[];
  readonly knowledgeDir?: string;
  readonly profile?: string;
  readonly cwd?: string;
}

export class KnowledgeSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KnowledgeSourceError";
  }
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** The knowledge-model files to load, in order. */
export function knowledgeFiles(options: KnowledgeSourceOptions): string[] {
  const cwd = options.cwd ?? process.cwd();
  const files = [...(options.knowledge ?? [])];
  if (options.knowledgeDir) {
    if (!isDir(path.resolve(cwd, options.knowledgeDir))) throw new KnowledgeSourceError(`--knowledge-dir ${options.knowledgeDir}: not a folder`);
    files.push(...yamlFilesIn(path.resolve(cwd, options.knowledgeDir)));
  }
  if (files.length > 0 || !options.profile) return files;
  const name = options.profile;
  if (/[/\\]/.test(name) || name === "." || name === "..") {
    const dir = path.resolve(cwd, name, "knowledge");
    if (isDir(dir)) return yamlFilesIn(dir);
    throw new KnowledgeSourceError(`--profile ${name}: no knowledge/ folder in it`);
  }
  const candidates = [path.join(cwd, "profiles", name, "knowledge"), path.join(cwd, "knowledge", name), path.join(bundledProfilesDir(), name, "knowledge")];
  const found = candidates.find(isDir);
  if (!found) {
    throw new KnowledgeSourceError(`--profile ${name}: no knowledge models at profiles/${name}/knowledge/ or knowledge/${name}/ (nor a bundled profile of that name)`);
  }
  return yamlFilesIn(found);
}

export interface LoadedKnowledge {
  readonly models: OperatorKnowledge[];
  /** file → positioned problems (errors make the model unusable). */
  readonly problems: string[];
  readonly files: string[];
}

/** Loads and validates every model; any invalid file is reported with its positions. */
export async function loadKnowledge(options: KnowledgeSourceOptions): Promise<LoadedKnowledge> {
  const files = knowledgeFiles(options);
  const models: OperatorKnowledge[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const checked = await validateFile(file, { expectKind: "OperatorKnowledge" });
    if (checked.status !== "valid") {
      problems.push(...allDiagnostics(checked).map(formatDiagnostic), `${file}: invalid knowledge model`);
      continue;
    }
    models.push(...checked.documents.flatMap((document) => (document.knowledge ? [document.knowledge] : [])));
  }
  return { models, problems, files };
}

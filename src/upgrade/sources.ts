// Reading the two sides of an upgrade from disk: the knowledge models of a version folder, and every
// CustomResourceDefinition in a file or folder. Problems come back positioned, nothing is thrown for bad input.

import { formatDiagnostic } from "../experiment/diagnostic.js";
import { readYamlFile } from "../experiment/load.js";
import { collectYamlFiles } from "../cli/files.js";
import { loadKnowledge, type LoadedKnowledge } from "../suite/knowledge-sources.js";
import type { CrdDocument } from "./crd-diff.js";

export class UpgradeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpgradeInputError";
  }
}

/** The knowledge models of one version folder; an empty or invalid folder is an error. */
export async function loadKnowledgeVersion(flag: string, dir: string): Promise<LoadedKnowledge> {
  let loaded: LoadedKnowledge;
  try {
    loaded = await loadKnowledge({ knowledgeDir: dir });
  } catch (error) {
    throw new UpgradeInputError(`${flag} ${dir}: ${error instanceof Error ? error.message.replace(/^--knowledge-dir \S+: /, "") : String(error)}`);
  }
  if (loaded.files.length === 0) throw new UpgradeInputError(`${flag} ${dir}: no .yaml or .yml knowledge model in this folder`);
  if (loaded.problems.length > 0) throw new UpgradeInputError(`${flag} ${dir}: invalid knowledge models:\n  ${loaded.problems.join("\n  ")}`);
  return loaded;
}

const isCrd = (value: unknown): value is CrdDocument & { kind: string } =>
  typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "CustomResourceDefinition";

/** Every CRD in the file or folder (other documents are skipped, as in the Go tool); YAML errors are positioned. */
export async function loadCrds(flag: string, location: string): Promise<CrdDocument[]> {
  const collected = await collectYamlFiles([location]);
  if (collected.unmatched.length > 0) throw new UpgradeInputError(`${flag} ${location}: ${collected.unmatched.map((miss) => miss.reason).join("; ")}`);
  const crds: CrdDocument[] = [];
  const problems: string[] = [];
  for (const file of collected.files) {
    const loaded = await readYamlFile(file);
    const errors = [...loaded.diagnostics, ...loaded.documents.flatMap((document) => document.diagnostics)].filter((found) => found.severity === "error");
    problems.push(...errors.map(formatDiagnostic));
    for (const document of loaded.documents) {
      if (!isCrd(document.value)) continue;
      if (typeof document.value.metadata?.name !== "string" || document.value.metadata.name === "") {
        const at = document.locate(["metadata", "name"]);
        problems.push(`${file}:${at.line}:${at.column}: metadata.name: a CustomResourceDefinition needs a name`);
        continue;
      }
      crds.push(document.value);
    }
  }
  if (problems.length > 0) throw new UpgradeInputError(`${flag} ${location}: cannot read the CRDs:\n  ${problems.join("\n  ")}`);
  return crds;
}

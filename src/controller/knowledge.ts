// The knowledge models of --knowledge-dir, checked as `run --knowledge-dir` checks them.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { formatDiagnostic } from "../experiment/diagnostic.js";
import { allDiagnostics, validateFile } from "../experiment/validate.js";

export async function loadKnowledgeDir(dir: string | undefined): Promise<OperatorKnowledge[]> {
  if (!dir) return [];
  const knowledge: OperatorKnowledge[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f))) {
    const checked = await validateFile(file, { expectKind: "OperatorKnowledge" });
    if (checked.status !== "valid") {
      throw new Error(`${file}: invalid knowledge model:\n${allDiagnostics(checked).map(formatDiagnostic).join("\n")}`);
    }
    knowledge.push(...checked.documents.flatMap((document) => (document.knowledge ? [document.knowledge] : [])));
  }
  return knowledge;
}

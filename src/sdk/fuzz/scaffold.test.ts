// `generate fuzz-targets`: the scaffold from a knowledge model is valid TypeScript with a target per
// component, a change per managed resource and the model's invariants.
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../experiment/package-root.js";
import { validateFile } from "../../experiment/validate.js";
import { fuzzTargetsSource } from "./scaffold.js";

async function model(file: string) {
  const checked = await validateFile(join(packageRoot(), "test", "fixtures", "knowledge", file), { expectKind: "OperatorKnowledge" });
  expect(checked.status).toBe("valid");
  return checked.documents.find((document) => document.knowledge)!.knowledge!;
}

describe("generate fuzz-targets", () => {
  for (const file of ["widget-operator.yaml", "gadget-operator.yaml"]) {
    it(`scaffolds a TypeScript fuzz test from ${file}`, async () => {
      const knowledge = await model(file);
      const source = fuzzTargetsSource(knowledge, file);
      const output = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, strict: true } });
      expect(output.diagnostics ?? []).toEqual([]);
      expect(source).toContain('from "operator-chaos/sdk/fuzz"');
      for (const component of knowledge.components) {
        expect(source).toContain(`name: ${JSON.stringify(`${knowledge.operator.name}/${component.name}`)}`);
        for (const resource of component.managedResources) {
          expect(source).toContain(JSON.stringify(`a user deletes ${resource.kind} ${resource.name}`));
          expect(source).toContain(JSON.stringify(`${resource.kind} ${resource.name} exists`));
        }
      }
      expect(source).toContain("startOperator: replace with your reconciler");
    });
  }
});

import { describe, expect, it } from "vitest";
import { experimentJsonSchema, knowledgeJsonSchema } from "../experiment/generate.js";
import { faultSpecs } from "../faults/registry.js";
import { explain, ExplainError, explainSources, renderExplanation } from "./explain.js";

type JsonSchema = Record<string, unknown>;

/** Every field path of a JSON Schema, found by a walk of its own (not explain's), through arrays, maps and optional unions. */
function fieldPaths(schema: JsonSchema, prefix: string): string[] {
  const unwrap = (node: JsonSchema): JsonSchema[] => {
    const variants = [...((node["anyOf"] ?? []) as JsonSchema[]), ...((node["oneOf"] ?? []) as JsonSchema[])];
    const inner = [node, ...variants.flatMap(unwrap)];
    if (typeof node["items"] === "object") inner.push(...unwrap(node["items"] as JsonSchema));
    if (typeof node["additionalProperties"] === "object") inner.push(...unwrap(node["additionalProperties"] as JsonSchema));
    return inner;
  };
  return unwrap(schema).flatMap((node) =>
    Object.entries((node["properties"] ?? {}) as Record<string, JsonSchema>).flatMap(([name, child]) => [`${prefix}.${name}`, ...fieldPaths(child, `${prefix}.${name}`)]),
  );
}

describe("explain", () => {
  it("covers every field of both schemas: each path resolves and is listed, with its type, by its parent", async () => {
    const sources = await explainSources();
    const paths = [...fieldPaths(experimentJsonSchema(), "ChaosExperiment"), ...fieldPaths(knowledgeJsonSchema(), "OperatorKnowledge")];
    expect(paths.length).toBeGreaterThan(80);
    const undocumented: string[] = [];
    for (const path of paths) {
      const explained = explain(sources, path);
      expect(explained.path, path).toBe(path);
      expect(explained.type, path).not.toBe("any");
      const parent = explain(sources, path.slice(0, path.lastIndexOf(".")));
      const listed = parent.fields.find((field) => field.name === path.slice(path.lastIndexOf(".") + 1));
      expect(listed, path).toBeDefined();
      if (listed!.description === "") undocumented.push(path);
      expect(renderExplanation(parent)).toContain(`  ${listed!.name}\t<${listed!.type}>`);
    }
    // The schema's own gaps (fields with no .describe()), printed so they are seen; explain says so for them.
    console.log(`fields without a description in the schema: ${undocumented.join(", ") || "none"}`);
  });

  it("documents every parameter of every fault type under spec.injection.parameters --type", async () => {
    const sources = await explainSources();
    for (const spec of faultSpecs()) {
      const explained = explain(sources, "ChaosExperiment.spec.injection.parameters", spec.type);
      expect(explained.fields.map((field) => field.name)).toEqual(spec.parameterDocs.map((doc) => doc.name));
      expect(explained.fields.filter((field) => field.required).map((field) => field.name)).toEqual([...spec.requiredParameters]);
    }
    expect(explain(sources, "ChaosExperiment.spec.injection.parameters").note).toContain("pass --type");
  });

  it("refuses an unknown kind, field or fault type, naming what is valid", async () => {
    const sources = await explainSources();
    expect(() => explain(sources, "Widget.spec")).toThrow(ExplainError);
    expect(() => explain(sources, "ChaosExperiment.spec.injektion")).toThrow(/spec has no field "injektion": expected one of target, steadyState, injection/);
    expect(() => explain(sources, "ChaosExperiment.spec.injection.parameters", "PodKil")).toThrow(/unknown fault type "PodKil"/);
  });
});

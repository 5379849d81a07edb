import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INJECTION_TYPES } from "./enums.js";
import { crdManifest, experimentJsonSchema, generatedFiles, staleGeneratedFiles } from "./generate.js";
import { packageRoot } from "./package-root.js";

type Schema = { [key: string]: unknown };

function everyNode(value: unknown, visit: (node: Schema) => void): void {
  if (Array.isArray(value)) value.forEach((item) => everyNode(item, visit));
  else if (value !== null && typeof value === "object") {
    visit(value as Schema);
    Object.values(value as Schema).forEach((child) => everyNode(child, visit));
  }
}

describe("generated files", () => {
  it("are up to date (run `npm run build && npm run generate` after changing the schema)", async () => {
    expect(await staleGeneratedFiles(packageRoot())).toEqual([]);
  });

  it("are deterministic", () => {
    expect(generatedFiles()).toEqual(generatedFiles());
  });
});

describe("the JSON Schema", () => {
  const schema = experimentJsonSchema();

  it("is draft-07 and strict about field names", () => {
    expect(schema["$schema"]).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema["additionalProperties"]).toBe(false);
    expect(schema["required"]).toEqual(["apiVersion", "kind", "metadata", "spec"]);
  });

  it("describes the parameters of all 20 fault types", () => {
    const injection = ((schema["properties"] as Schema)["spec"] as Schema)["properties"] as Schema;
    const rules = (injection["injection"] as Schema)["allOf"] as { if: { properties: { type: { const: string } } }; then: Schema }[];
    expect(rules.map((rule) => rule.if.properties.type.const)).toEqual([...INJECTION_TYPES]);
    const podKill = rules[0]!.then["properties"] as { parameters: { required: string[] } };
    expect(podKill.parameters.required).toEqual(["labelSelector"]);
  });

  it("carries durations as Go-syntax patterns", () => {
    const hypothesis = (((schema["properties"] as Schema)["spec"] as Schema)["properties"] as Schema)["hypothesis"] as Schema;
    const recoveryTimeout = (hypothesis["properties"] as Schema)["recoveryTimeout"] as Schema;
    expect(new RegExp(recoveryTimeout["pattern"] as string).test("1m30s")).toBe(true);
    expect(new RegExp(recoveryTimeout["pattern"] as string).test("90")).toBe(false);
  });
});

describe("the CRD", () => {
  const crd = crdManifest();
  const version = ((crd["spec"] as Schema)["versions"] as Schema[])[0]!;
  const openAPI = (version["schema"] as Schema)["openAPIV3Schema"] as Schema;

  it("names the resource as the Go tool does", () => {
    expect((crd["metadata"] as Schema)["name"]).toBe("chaosexperiments.chaos.operatorchaos.io");
    expect((crd["spec"] as Schema)["names"]).toMatchObject({ kind: "ChaosExperiment", plural: "chaosexperiments", shortNames: ["chaos", "ce"] });
    expect(version).toMatchObject({ name: "v1alpha1", served: true, storage: true, subresources: { status: {} } });
  });

  it("is a structural schema Kubernetes accepts", () => {
    everyNode(openAPI, (node) => {
      expect(node["additionalProperties"]).not.toBe(false);
      for (const key of ["$schema", "propertyNames", "const", "allOf", "if", "$ref"]) expect(node).not.toHaveProperty(key);
      if (node["properties"] !== undefined) expect(node["type"]).toBe("object");
    });
  });

  it("defaults count and tier to 1, like the Go tool's CRD, and nothing else", () => {
    const defaults: unknown[] = [];
    everyNode(openAPI, (node) => {
      if ("default" in node) defaults.push(node["default"]);
    });
    expect(defaults).toEqual([1, 1]);
  });

  it("is the file written to config/crd", () => {
    const file = generatedFiles().find((entry) => entry.path.startsWith("config/crd/"))!;
    expect(parse(file.content)).toEqual(crd);
  });
});

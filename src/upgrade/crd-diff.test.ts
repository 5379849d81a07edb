import { describe, expect, it } from "vitest";
import { CrdChange, diffCrds, Severity, type CrdDocument, type CrdVersion, type JsonSchema } from "./crd-diff.js";
import { formatCrdDiffMarkdown, formatCrdDiffText } from "./format.js";

const spec = (properties: Record<string, JsonSchema>, required?: string[]): JsonSchema => ({
  type: "object",
  properties: { spec: { type: "object", properties, ...(required ? { required } : {}) } },
});

const version = (name: string, schema: JsonSchema, flags: Partial<CrdVersion> = {}): CrdVersion => ({ name, served: true, storage: true, schema: { openAPIV3Schema: schema }, ...flags });
const crd = (versions: CrdVersion[], name = "stacks.demo.io"): CrdDocument => ({ metadata: { name }, spec: { versions } });
const one = (before: JsonSchema, after: JsonSchema) => diffCrds([crd([version("v1", before)])], [crd([version("v1", after)])]);
const kinds = (diff: ReturnType<typeof diffCrds>) => diff.crds.flatMap((entry) => entry.changes.map((c) => `${c.type}:${c.severity}:${c.path ?? ""}`));

const base = spec({ replicas: { type: "integer", default: 1 }, mode: { type: "string", enum: ["fast", "safe"] }, tags: { type: "array", items: { type: "string" } } });

describe("CRD diff", () => {
  it("finds nothing between a CRD and a copy of it", () => {
    expect(one(base, structuredClone(base))).toEqual({ crds: [], summary: { breaking: 0, warning: 0, info: 0 } });
  });

  it("a removed field is breaking", () => {
    expect(kinds(one(base, spec({ mode: { type: "string", enum: ["fast", "safe"] }, tags: { type: "array", items: { type: "string" } } })))).toEqual(["FieldRemoved:Breaking:spec.replicas"]);
  });

  it("a type change is breaking and hides what lies below", () => {
    const diff = one(base, spec({ replicas: { type: "string" }, mode: { type: "string", enum: ["fast", "safe"] }, tags: { type: "array", items: { type: "string" } } }));
    expect(diff.crds[0]?.changes).toEqual([{ version: "v1", path: "spec.replicas", type: CrdChange.TypeChanged, severity: Severity.Breaking, oldValue: "integer", newValue: "string" }]);
  });

  it("a new optional field is info, a new required field is breaking, an existing field made required is breaking", () => {
    expect(kinds(one(spec({ a: { type: "string" } }), spec({ a: { type: "string" }, b: { type: "string" } })))).toEqual(["FieldAdded:Info:spec.b"]);
    expect(kinds(one(spec({ a: { type: "string" } }), spec({ a: { type: "string" }, b: { type: "string" } }, ["b"])))).toEqual(["RequiredAdded:Breaking:spec.b"]);
    expect(kinds(one(spec({ a: { type: "string" } }), spec({ a: { type: "string" } }, ["a"])))).toEqual(["RequiredAdded:Breaking:spec.a"]);
    expect(kinds(one(spec({ a: { type: "string" } }, ["a"]), spec({ a: { type: "string" } })))).toEqual(["RequiredRemoved:Info:spec.a"]);
  });

  it("enum narrowing is breaking, widening is info, a new enum on a free field is breaking", () => {
    const mode = (values?: string[]) => spec({ mode: { type: "string", ...(values ? { enum: values } : {}) } });
    expect(kinds(one(mode(["fast", "safe"]), mode(["safe"])))).toEqual(["EnumValueRemoved:Breaking:spec.mode"]);
    expect(kinds(one(mode(["fast"]), mode(["fast", "safe"])))).toEqual(["EnumValueAdded:Info:spec.mode"]);
    expect(kinds(one(mode(), mode(["fast"])))).toEqual(["EnumRestricted:Breaking:spec.mode"]);
    expect(kinds(one(mode(["fast"]), mode()))).toEqual(["EnumValueAdded:Info:spec.mode"]);
  });

  it("a changed default is a warning", () => {
    const diff = one(spec({ replicas: { type: "integer", default: 1 } }), spec({ replicas: { type: "integer", default: 3 } }));
    expect(diff.crds[0]?.changes).toEqual([{ version: "v1", path: "spec.replicas", type: CrdChange.DefaultChanged, severity: Severity.Warning, oldValue: "1", newValue: "3" }]);
  });

  it("walks list items and map values", () => {
    const before = spec({ list: { type: "array", items: { type: "object", properties: { a: { type: "string" } } } }, map: { type: "object", additionalProperties: { type: "string" } } });
    const after = spec({ list: { type: "array", items: { type: "object", properties: {} } }, map: { type: "object", additionalProperties: { type: "integer" } } });
    expect(kinds(one(before, after))).toEqual(["FieldRemoved:Breaking:spec.list[].a", "TypeChanged:Breaking:spec.map{}"]);
  });

  it("classifies version changes: removed or no longer served breaks, added or newly served is info, storage moves warn", () => {
    const s = spec({});
    const diff = diffCrds(
      [crd([version("v1alpha1", s, { storage: false }), version("v1", s), version("v0", s, { storage: false })])],
      [crd([version("v1alpha1", s, { served: false, storage: false }), version("v1", s, { storage: false }), version("v2", s)])],
    );
    expect(diff.crds[0]?.changes.map((c) => `${c.version}:${c.type}:${c.severity}`)).toEqual([
      "v0:VersionRemoved:Breaking",
      "v1:StorageChanged:Warning",
      "v1alpha1:ServedChanged:Breaking",
      "v2:VersionAdded:Info",
    ]);
    const served = diffCrds([crd([version("v1", s, { served: false })])], [crd([version("v1", s)])]);
    expect(kinds(served)).toEqual(["ServedChanged:Info:"]);
  });

  it("a removed CRD is breaking, an added one is info; CRDs are matched by name and sorted", () => {
    const diff = diffCrds([crd([version("v1", base)], "b.demo.io"), crd([version("v1", base)], "keep.demo.io")], [crd([version("v1", base)], "keep.demo.io"), crd([version("v1", base)], "a.demo.io")]);
    expect(diff.crds.map((entry) => `${entry.name}:${entry.changeType}`)).toEqual(["a.demo.io:Added", "b.demo.io:Removed"]);
    expect(diff.summary).toEqual({ breaking: 1, warning: 0, info: 1 });
  });

  it("renders stable JSON, text and Markdown", () => {
    const after = spec({ replicas: { type: "integer", default: 2 }, mode: { type: "string", enum: ["safe"] }, tags: { type: "array", items: { type: "string" } }, model: { type: "string" } }, ["model"]);
    const diff = diffCrds([crd([version("v1", base)])], [crd([version("v1", after, { storage: false }), version("v2", after)])]);
    expect(JSON.stringify(diff, null, 2)).toMatchSnapshot("json");
    expect(formatCrdDiffText(diff)).toMatchSnapshot("text");
    expect(formatCrdDiffMarkdown(diff)).toMatchSnapshot("markdown");
  });
});

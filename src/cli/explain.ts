// `operator-chaos explain <path> [--type FaultType]`: the documentation of one field, like kubectl explain,
// generated from the same JSON Schema the editors get (itself generated from the zod schema) and from
// the fault registry's parameter docs. Nothing here is written by hand, so a new field is explained at once.

import type { Command } from "commander";
import { documentExitCodes, isStructured, OutputFormat, outputOption, printStructured } from "./output.js";

type JsonSchema = Record<string, unknown>;

export interface ExplainedField {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
  readonly default?: unknown;
  readonly values?: readonly string[];
}

export interface Explanation {
  readonly kind: string;
  readonly path: string;
  readonly type: string;
  readonly description: string;
  readonly default?: unknown;
  readonly values?: readonly string[];
  readonly fields: readonly ExplainedField[];
  /** Where the field's contents depend on the fault type (spec.injection.parameters without --type). */
  readonly note?: string;
}

/** A path that names no field; the message lists what would have been valid there. */
export class ExplainError extends Error {
  override readonly name = "UsageError";
}

export interface ExplainSources {
  /** Root schemas by kind. */
  readonly roots: Readonly<Record<string, JsonSchema>>;
  /** Parameter docs of each fault type. */
  readonly parameters: Readonly<Record<string, readonly { name: string; required: boolean; description: string; default?: string; values?: readonly string[] }[]>>;
}

const PARAMETERS_PATH = "spec.injection.parameters";

export function registerExplainCommand(program: Command): void {
  const command = program.command("explain")
    .description("document a field of ChaosExperiment or OperatorKnowledge, e.g. explain ChaosExperiment.spec.injection.parameters --type ConfigDrift")
    .argument("<path>", "KIND[.field[.field…]]; KIND is ChaosExperiment or OperatorKnowledge (case-insensitive)")
    .option("--type <FaultType>", "the fault type whose parameters spec.injection.parameters documents")
    .option("--recursive", "list every field below, indented")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml]))
    .action(async (path: string, flags: { type?: string; recursive?: boolean; output: OutputFormat }) => {
      const explanation = explain(await explainSources(), path, flags.type);
      if (isStructured(flags.output)) await printStructured(explanation, flags.output);
      else process.stdout.write(renderExplanation(explanation, flags.recursive ? await explainSources() : undefined, flags.type));
    });
  documentExitCodes(command, { 0: "explained" });
}

let cached: ExplainSources | undefined;

export async function explainSources(): Promise<ExplainSources> {
  if (cached) return cached;
  const { experimentJsonSchema, knowledgeJsonSchema } = await import("../experiment/generate.js");
  const { faultSpecs } = await import("../faults/registry.js");
  cached = {
    roots: { ChaosExperiment: experimentJsonSchema(), OperatorKnowledge: knowledgeJsonSchema() },
    parameters: Object.fromEntries(faultSpecs().map((spec) => [spec.type, spec.parameterDocs])),
  };
  return cached;
}

/** Explains `Kind.a.b.c`; arrays and maps are stepped through to their items, as kubectl does. */
export function explain(sources: ExplainSources, fullPath: string, faultType?: string): Explanation {
  const [kindWord = "", ...segments] = fullPath.split(".").filter((part) => part !== "");
  const kind = Object.keys(sources.roots).find((name) => name.toLowerCase() === kindWord.toLowerCase());
  if (kind === undefined) throw new ExplainError(`unknown kind ${JSON.stringify(kindWord)}: expected one of ${Object.keys(sources.roots).join(", ")}`);
  if (faultType !== undefined && sources.parameters[faultType] === undefined) {
    throw new ExplainError(`unknown fault type ${JSON.stringify(faultType)}: expected one of ${Object.keys(sources.parameters).join(", ")}`);
  }
  let schema = sources.roots[kind]!;
  const walked: string[] = [];
  for (const segment of segments) {
    const properties = propertiesOf(schema);
    const next = properties[segment];
    if (next === undefined) {
      const where = walked.length === 0 ? kind : `${kind}.${walked.join(".")}`;
      const known = Object.keys(properties);
      throw new ExplainError(`${where} has no field ${JSON.stringify(segment)}${known.length > 0 ? `: expected one of ${known.join(", ")}` : ""}`);
    }
    schema = next;
    walked.push(segment);
  }
  const path = walked.join(".");
  const base = {
    kind, path: path === "" ? kind : `${kind}.${path}`, type: typeName(schema), description: String(schema["description"] ?? ""),
    ...(schema["default"] !== undefined ? { default: schema["default"] } : {}),
    ...(enumOf(schema) ? { values: enumOf(schema)! } : {}),
  };
  if (kind === "ChaosExperiment" && path === PARAMETERS_PATH) {
    if (faultType === undefined) return { ...base, fields: [], note: `the parameters depend on spec.injection.type: pass --type, one of ${Object.keys(sources.parameters).join(", ")}` };
    const fields = sources.parameters[faultType]!.map((doc) => ({
      name: doc.name, type: "string", required: doc.required, description: doc.description,
      ...(doc.default !== undefined ? { default: doc.default } : {}), ...(doc.values ? { values: [...doc.values] } : {}),
    }));
    return { ...base, description: `${base.description} Parameters of ${faultType}.`, fields };
  }
  return { ...base, fields: fieldsOf(schema) };
}

/** The schema of what a field holds, looking through optional unions, arrays and maps. */
function contents(schema: JsonSchema): JsonSchema {
  const variants = (schema["anyOf"] ?? schema["oneOf"]) as JsonSchema[] | undefined;
  if (variants) {
    const concrete = variants.filter((variant) => variant["type"] !== "null");
    if (concrete.length === 1) return contents({ ...concrete[0]!, description: schema["description"] ?? concrete[0]!["description"] });
  }
  if (schema["type"] === "array" && typeof schema["items"] === "object") return contents(schema["items"] as JsonSchema);
  if (schema["type"] === "object" && !schema["properties"] && typeof schema["additionalProperties"] === "object") {
    const values = schema["additionalProperties"] as JsonSchema;
    if (values["properties"] || values["items"]) return contents(values);
  }
  return schema;
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return (contents(schema)["properties"] ?? {}) as Record<string, JsonSchema>;
}

function fieldsOf(schema: JsonSchema): ExplainedField[] {
  const inner = contents(schema);
  const required = new Set((inner["required"] ?? []) as string[]);
  return Object.entries(propertiesOf(schema)).map(([name, field]) => ({
    name, type: typeName(field), required: required.has(name), description: String(field["description"] ?? contents(field)["description"] ?? ""),
    ...(field["default"] !== undefined ? { default: field["default"] } : {}),
    ...(enumOf(field) ? { values: enumOf(field)! } : {}),
  }));
}

function enumOf(schema: JsonSchema): string[] | undefined {
  const inner = contents(schema);
  if (Array.isArray(inner["enum"])) return (inner["enum"] as unknown[]).map(String);
  if (inner["const"] !== undefined) return [String(inner["const"])];
  return undefined;
}

/** kubectl-like type names: string, integer, boolean, Object, []Object, map[string]string. */
function typeName(schema: JsonSchema): string {
  const variants = (schema["anyOf"] ?? schema["oneOf"]) as JsonSchema[] | undefined;
  if (variants) {
    const concrete = variants.filter((variant) => variant["type"] !== "null");
    return concrete.length === 1 ? typeName(concrete[0]!) : concrete.map(typeName).join("|");
  }
  const type = schema["type"];
  if (type === "array") return `[]${typeName((schema["items"] ?? {}) as JsonSchema)}`;
  if (type === "object") {
    if (schema["properties"]) return "Object";
    const values = schema["additionalProperties"];
    return typeof values === "object" ? `map[string]${typeName(values as JsonSchema)}` : "Object";
  }
  return typeof type === "string" ? type : Array.isArray(type) ? type.join("|") : "any";
}

const indentText = (text: string, spaces: number): string => text.split("\n").map((line) => `${" ".repeat(spaces)}${line}`).join("\n");

export function renderExplanation(explanation: Explanation, recursive?: ExplainSources, faultType?: string): string {
  const lines = [`KIND:     ${explanation.kind}`, `FIELD:    ${explanation.path} <${explanation.type}>`];
  if (explanation.default !== undefined) lines.push(`DEFAULT:  ${JSON.stringify(explanation.default)}`);
  if (explanation.values) lines.push(`VALUES:   ${explanation.values.join(", ")}`);
  lines.push("", "DESCRIPTION:", indentText(explanation.description || "(no description in the schema)", 4));
  if (explanation.note) lines.push("", `NOTE:     ${explanation.note}`);
  if (explanation.fields.length > 0) {
    lines.push("", "FIELDS:");
    const walk = (fields: readonly ExplainedField[], path: string, depth: number) => {
      for (const field of fields) {
        lines.push(`${"  ".repeat(depth + 1)}${field.name}\t<${field.type}>${field.required ? " -required-" : ""}`);
        if (!recursive) {
          lines.push(indentText(field.description || "(no description in the schema)", 4 + depth * 2));
          if (field.values) lines.push(`${" ".repeat(4 + depth * 2)}Values: ${field.values.join(", ")}`);
          if (field.default !== undefined) lines.push(`${" ".repeat(4 + depth * 2)}Default: ${JSON.stringify(field.default)}`);
          lines.push("");
        } else {
          walk(explain(recursive, `${path}.${field.name}`, faultType).fields, `${path}.${field.name}`, depth + 1);
        }
      }
    };
    walk(explanation.fields, explanation.path, 0);
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

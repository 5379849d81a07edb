// Turns zod's structural findings into our issues (own wording, "did you mean", expected/got), and
// prepares values for the semantic rules: nulls read the way Go reads them, and a copy with every
// wrongly typed part removed, so rules can run on whatever is left and all problems show at once.

import { z } from "zod";
import { describeValue, issue, type Issue, type IssuePath, type PathSegment } from "./diagnostic.js";
import { closestMatch } from "./suggest.js";

type ZodIssue = z.core.$ZodIssue;

/** The schema that describes the value at `path`, looking through optional wrappers. */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return undefined;
    current = current === undefined ? undefined : unwrap(current);
  }
  return current;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** Every field name of the schema and where it lives, for hints such as `ttl belongs in spec.injection`. */
export function fieldIndex(schema: z.ZodType): ReadonlyMap<string, readonly string[]> {
  const index = new Map<string, string[]>();
  const visit = (node: z.ZodType | undefined, path: string, depth: number): void => {
    const current = node === undefined ? undefined : unwrap(node);
    if (current === undefined || depth > 8) return;
    if (current instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(current.shape as Record<string, z.ZodType>)) {
        const places = index.get(key) ?? [];
        places.push(path);
        index.set(key, places);
        visit(child, path === "" ? key : `${path}.${key}`, depth + 1);
      }
    } else if (current instanceof z.ZodArray) {
      visit(current.element as z.ZodType, `${path}[]`, depth + 1);
    }
  };
  visit(schema, "", 0);
  return index;
}

/**
 * Reads nulls as Go's decoder does: a null field is as if absent; a null entry of a string map is
 * the empty string. Everything else is returned unchanged (no copy is made of untouched parts).
 */
export function normalizeNulls(value: unknown, schema: z.ZodType | undefined): unknown {
  const node = schema === undefined ? undefined : unwrap(schema);
  if (Array.isArray(value)) {
    const element = node instanceof z.ZodArray ? (node.element as z.ZodType) : undefined;
    return value.map((item) => normalizeNulls(item, element));
  }
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  if (node instanceof z.ZodRecord) {
    const valueSchema = unwrap(node.valueType as z.ZodType);
    for (const [key, entry] of Object.entries(value)) {
      result[key] = entry === null && valueSchema instanceof z.ZodString ? "" : normalizeNulls(entry, valueSchema);
    }
    return result;
  }
  const shape = node instanceof z.ZodObject ? (node.shape as Record<string, z.ZodType>) : undefined;
  for (const [key, entry] of Object.entries(value)) {
    if (entry === null) continue;
    result[key] = normalizeNulls(entry, shape?.[key]);
  }
  return result;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isPlainObject(current)) current = Object.prototype.hasOwnProperty.call(current, segment) ? current[String(segment)] : undefined;
    else return undefined;
  }
  return current;
}

const TYPE_NAMES: Record<string, string> = {
  int: "integer",
  number: "number",
  string: "string",
  boolean: "boolean",
  object: "mapping",
  record: "mapping",
  array: "list",
};

function toPath(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
}

export interface IssueTranslationOptions {
  /** A name for the whole value in messages about enum values, e.g. "injection type" at spec.injection.type. */
  readonly valueNames?: ReadonlyMap<string, string>;
}

/** One zod issue → our issues (an unknown-keys issue becomes one issue per key). */
export function translateZodIssue(
  zodIssue: ZodIssue,
  root: unknown,
  schema: z.ZodType,
  fields: ReadonlyMap<string, readonly string[]>,
  options: IssueTranslationOptions = {},
): Issue[] {
  const path = toPath(zodIssue.path);
  const value = valueAt(root, zodIssue.path);
  const fieldName = path.length === 0 ? "value" : String(path[path.length - 1]);
  switch (zodIssue.code) {
    case "unrecognized_keys": {
      const parent = schemaAt(schema, zodIssue.path);
      const known = parent instanceof z.ZodObject ? Object.keys(parent.shape) : [];
      return zodIssue.keys.map((key) => {
        const suggestion = closestMatch(key, known);
        let hint = suggestion === undefined ? "" : `; did you mean ${JSON.stringify(suggestion)}?`;
        if (hint === "") {
          // Only a field with one home elsewhere gives a useful hint (apiVersion, name… live everywhere).
          const places = (fields.get(key) ?? []).filter((place) => place !== formatDotted(path));
          if (places.length === 1) hint = `; ${JSON.stringify(key)} belongs in ${places[0] === "" ? "the top level" : places[0]}`;
        }
        return issue([...path, key], "schema.unknown-field", `unknown field ${JSON.stringify(key)}${hint}`, { target: "key" });
      });
    }
    case "invalid_type": {
      const node = schemaAt(schema, zodIssue.path);
      const integer = node instanceof z.ZodNumber && node.isInt === true;
      const expected = integer ? "integer" : (TYPE_NAMES[zodIssue.expected] ?? zodIssue.expected);
      if (value === undefined) {
        return [issue(path, "schema.required", `required field ${JSON.stringify(fieldName)} is missing`, { expected })];
      }
      const quoteHint = expected === "string" && (typeof value === "number" || typeof value === "boolean") ? "; quote the value" : "";
      return [issue(path, "schema.type", `wrong type${quoteHint}`, { expected, got: describeValue(value) })];
    }
    case "invalid_value": {
      const allowed = zodIssue.values.map((candidate) => String(candidate));
      if (value === undefined) {
        return [issue(path, "schema.required", `required field ${JSON.stringify(fieldName)} is missing`, { expected: expectedValues(allowed) })];
      }
      if (value === "") return [issue(path, "schema.empty", "must not be empty", { expected: expectedValues(allowed) })];
      const name = options.valueNames?.get(formatDotted(path)) ?? "value";
      const suggestion = typeof value === "string" ? closestMatch(value, allowed) : undefined;
      const hint = suggestion === undefined ? "" : `; did you mean ${JSON.stringify(suggestion)}?`;
      return [issue(path, "schema.enum", `unknown ${name}${hint}`, { expected: expectedValues(allowed), got: describeValue(value) })];
    }
    case "too_small": {
      const minimum = Number(zodIssue.minimum);
      if (zodIssue.origin === "string") {
        return minimum <= 1
          ? [issue(path, "schema.empty", "must not be empty")]
          : [issue(path, "schema.range", "too short", { expected: `at least ${minimum} characters`, got: describeValue(value) })];
      }
      if (zodIssue.origin === "array") {
        return [issue(path, "schema.range", "too few items", { expected: `at least ${minimum}`, got: `${Array.isArray(value) ? value.length : 0}` })];
      }
      return [issue(path, "schema.range", "too small", { expected: `at least ${minimum}`, got: describeValue(value) })];
    }
    case "too_big": {
      const maximum = Number(zodIssue.maximum);
      if (zodIssue.origin === "string") {
        return [issue(path, "schema.range", "too long", { expected: `at most ${maximum} characters`, got: `${String(value).length} characters` })];
      }
      if (zodIssue.origin === "array") {
        return [issue(path, "schema.range", "too many items", { expected: `at most ${maximum}`, got: `${Array.isArray(value) ? value.length : 0}` })];
      }
      return [issue(path, "schema.range", "too large", { expected: `at most ${maximum}`, got: describeValue(value) })];
    }
    case "invalid_format":
      return [issue(path, "schema.format", zodIssue.message, { got: describeValue(value) })];
    case "custom": {
      const params = (zodIssue.params ?? {}) as { rule?: string; expected?: string };
      return [
        issue(path, params.rule ?? "schema.custom", zodIssue.message, {
          ...(params.expected !== undefined ? { expected: params.expected } : {}),
          got: describeValue(value),
        }),
      ];
    }
    default:
      return [issue(path, "schema.invalid", zodIssue.message, { got: describeValue(value) })];
  }
}

function expectedValues(values: readonly string[]): string {
  if (values.length === 1) return JSON.stringify(values[0]);
  // Long lists (the 20 injection types) are easier to scan sorted.
  const ordered = values.length > 5 ? [...values].sort() : values;
  const shown = ordered.map((value) => (value === "" ? '""' : value));
  return `one of ${shown.join(", ")}`;
}

/** `spec.injection.type` with list indexes dropped, for lookups keyed by field path. */
export function formatDotted(path: IssuePath): string {
  return path.filter((segment) => typeof segment === "string").join(".");
}

/**
 * A copy of `value` without the parts that `issues` (errors only) found wrong: wrongly typed fields are
 * removed, wrongly typed list items become undefined (so later indexes still match the file).
 */
export function withoutInvalidParts(value: unknown, issues: readonly Issue[]): unknown {
  const copy = structuredClone(value);
  for (const found of issues) {
    if (found.severity !== "error" || found.path.length === 0) continue;
    const parent = valueAt(copy, found.path.slice(0, -1));
    const last = found.path[found.path.length - 1]!;
    if (Array.isArray(parent) && typeof last === "number") parent[last] = undefined;
    else if (isPlainObject(parent)) delete parent[String(last)];
  }
  return copy;
}

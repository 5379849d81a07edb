// Profiles (profiles/<name>/profile.yaml): the per-distribution values templates are filled with.
// Decoded exactly as the Go tool decodes them (see go-yaml.ts); unknown fields are warnings, not
// errors, with the Go tool's wording. Pure.

import { compareGoStrings, decodeGoYaml, foldsTo, goString, GoYamlError, isGoObject, type GoObject, type GoValue } from "./go-yaml.js";

/** The 14 component fields, in the Go tool's order; templates name them in `# requires:`. */
export const COMPONENT_FIELDS = [
  "namespace",
  "deployment",
  "component_name",
  "label_selector",
  "cluster_role_binding",
  "webhook_name",
  "webhook_type",
  "webhook_resource_kind",
  "webhook_cert_secret",
  "lease_name",
  "route_name",
  "route_namespace",
  "config_map_name",
  "config_map_key",
] as const;
export type ComponentField = (typeof COMPONENT_FIELDS)[number];

const PROFILE_FIELDS = ["name", "description", "version", "platform", "components"] as const;

export type ComponentConfig = Partial<Record<ComponentField, string>>;

export interface Profile {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly platform: string;
  /** Component key → its fields (component_name defaulted to the key). */
  readonly components: Map<string, ComponentConfig>;
  /** "unknown profile field …" warnings, sorted as the Go tool sorts them. */
  readonly warnings: readonly string[];
}

export class ProfileError extends Error {
  constructor(message: string, readonly file: string, readonly line?: number) {
    super(`${file}${line ? `:${line}` : ""}: ${message}`);
    this.name = "ProfileError";
  }
}

export function isComponentField(name: string): name is ComponentField {
  return (COMPONENT_FIELDS as readonly string[]).includes(name);
}

/**
 * encoding/json into a struct: keys in sorted order (sigs.k8s.io/yaml re-encodes the map, which
 * sorts it), each to the exact or case-folded field, the last one wins; null leaves a field alone.
 */
function assignFields<F extends string>(object: GoObject, fields: readonly F[], assign: (field: F, value: GoValue, line: number | undefined) => void): void {
  for (const key of [...object.entries.keys()].sort(compareGoStrings)) {
    const field = fields.find((candidate) => candidate === key) ?? fields.find((candidate) => foldsTo(key, candidate));
    if (field !== undefined) assign(field, object.entries.get(key)!, object.lines.get(key));
  }
}

export function parseProfile(text: string, file: string): Profile {
  let root: GoValue;
  try {
    root = decodeGoYaml(text);
  } catch (error) {
    if (error instanceof GoYamlError) throw new ProfileError(`parsing profile: ${error.message}`, file, error.line);
    throw error;
  }
  if (root !== null && !isGoObject(root)) throw new ProfileError("parsing profile: expected a mapping with name and components", file, 1);

  const top: Record<"name" | "description" | "version" | "platform", string> = { name: "", description: "", version: "", platform: "" };
  const components = new Map<string, ComponentConfig>();
  const fail = (message: string, line?: number): never => {
    throw new ProfileError(`parsing profile: ${message}`, file, line);
  };
  if (root !== null) {
    assignFields(root, PROFILE_FIELDS, (field, value, line) => {
      if (field !== "components") {
        const text = wrap(() => goString(value, () => field, line));
        if (text !== undefined) top[field] = text;
        return;
      }
      if (value === null) return;
      if (!isGoObject(value)) fail("components: expected a mapping of component key to its fields", line);
      for (const [key, config] of (value as GoObject).entries) {
        const keyLine = (value as GoObject).lines.get(key);
        const component: ComponentConfig = {};
        if (config !== null && !isGoObject(config)) fail(`components.${key}: expected a mapping of fields`, keyLine);
        if (config !== null) {
          assignFields(config as GoObject, COMPONENT_FIELDS, (name, fieldValue, fieldLine) => {
            const text = wrap(() => goString(fieldValue, () => `components.${key}.${name}`, fieldLine));
            if (text !== undefined) component[name] = text;
          });
        }
        components.set(key, component);
      }
    });
  }

  if (top.name === "") throw new ProfileError("validating profile: name is required", file);
  if (components.size === 0) throw new ProfileError("validating profile: at least one component is required", file);
  for (const key of [...components.keys()].sort(compareGoStrings)) {
    if (key === "") throw new ProfileError("validating profile: empty component name", file);
    if (key.includes("..") || key.includes("/") || key.includes("\\")) {
      throw new ProfileError(`validating profile: component name ${goQuote(key)} contains path traversal characters`, file);
    }
  }
  for (const [key, component] of components) if (!component.component_name) component.component_name = key;
  return { ...top, components, warnings: unknownFieldWarnings(root) };

  function wrap<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof GoYamlError) fail(error.message, error.line);
      throw error;
    }
  }
}

/** Exact (not case-folded) field names, as the Go tool's warning pass checks them. */
function unknownFieldWarnings(root: GoValue): string[] {
  if (!isGoObject(root)) return [];
  const warnings: string[] = [];
  for (const key of root.entries.keys()) {
    if (!(PROFILE_FIELDS as readonly string[]).includes(key)) warnings.push(`unknown profile field ${goQuote(key)} (will be ignored)`);
  }
  const components = root.entries.get("components");
  if (components !== undefined && isGoObject(components)) {
    for (const [key, config] of components.entries) {
      if (config === null || !isGoObject(config)) continue;
      for (const field of config.entries.keys()) {
        if (!isComponentField(field)) warnings.push(`component ${goQuote(key)}: unknown field ${goQuote(field)} (will be ignored)`);
      }
    }
  }
  return warnings.sort(compareGoStrings);
}

/** Go's %q for the strings that occur here (printable text as is, the rest escaped). */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (char === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/** Template variables of one component: COMPONENT, OPERATOR, COMPONENT_NAME and every non-empty field in UPPER_CASE. */
export function componentVariables(component: ComponentConfig, componentKey: string, profileName: string): Map<string, string> {
  const variables = new Map<string, string>([
    ["COMPONENT", componentKey],
    ["OPERATOR", profileName],
    ["COMPONENT_NAME", component.component_name || componentKey],
  ]);
  for (const field of COMPONENT_FIELDS) {
    if (field === "component_name") continue;
    const value = component[field];
    if (value) variables.set(field.toUpperCase(), value);
  }
  return variables;
}

export class SetVarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SetVarError";
  }
}

/** `--set-var component:field=value`, checked as the Go tool checks it. */
export function parseSetVar(text: string): { component: string; field: string; value: string } {
  const equals = text.indexOf("=");
  if (equals < 0) throw new SetVarError(`invalid --set-var ${goQuote(text)}: expected component:field=value format`);
  const key = text.slice(0, equals);
  const value = text.slice(equals + 1);
  const colon = key.indexOf(":");
  if (colon < 0) throw new SetVarError(`invalid --set-var ${goQuote(text)}: expected component:field=value format (missing ':')`);
  const component = key.slice(0, colon);
  const field = key.slice(colon + 1);
  if (component === "" || field === "") throw new SetVarError(`invalid --set-var ${goQuote(text)}: component and field must be non-empty`);
  if (value === "") throw new SetVarError(`invalid --set-var ${goQuote(text)}: value must be non-empty`);
  if (/[\n\r]/.test(value)) throw new SetVarError(`invalid --set-var ${goQuote(text)}: value must not contain newline characters`);
  return { component, field, value };
}

/** Applies --set-var overrides in order; returns a new component map. */
export function applySetVars(profile: Profile, setVars: readonly string[]): Profile {
  const components = new Map([...profile.components].map(([key, config]) => [key, { ...config }]));
  for (const text of setVars) {
    const { component, field, value } = parseSetVar(text);
    const config = components.get(component);
    if (config === undefined) throw new SetVarError(`--set-var: component ${goQuote(component)} not found in profile`);
    if (!isComponentField(field)) throw new SetVarError(`--set-var ${text}: unknown field ${goQuote(field)} (expected one of ${COMPONENT_FIELDS.join(", ")})`);
    config[field] = value;
  }
  return { ...profile, components };
}

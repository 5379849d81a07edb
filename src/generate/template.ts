// Experiment templates: ChaosExperiment YAML with ${UPPER_CASE} placeholders and up to two header
// comments in the first five lines, `# requires: field, field` and `# platform: openshift`. Header
// parsing, stripping and substitution follow the Go tool line for line (same trimming, same five-line
// window, same single-pass replacement), so generated files are byte-identical. Pure.

import { COMPONENT_FIELDS, goQuote, isComponentField } from "./profile.js";

export interface TemplateHeader {
  readonly requires: readonly string[];
  /** "" when the template runs on every platform. */
  readonly platform: string;
}

export interface Template {
  /** File name, e.g. pod-kill.yaml; also the output file name. */
  readonly name: string;
  /** Where it was read from, for messages. */
  readonly path: string;
  readonly header: TemplateHeader;
  readonly content: string;
}

export class TemplateError extends Error {
  constructor(message: string, readonly file: string, readonly line?: number) {
    super(`${file}${line ? `:${line}` : ""}: ${message}`);
    this.name = "TemplateError";
  }
}

const HEADER_LINES = 5;
const REQUIRES = "# requires:";
const PLATFORM = "# platform:";

// Go's unicode.IsSpace (TAB, LF, VT, FF, CR, space, U+0085, U+00A0 and the Unicode White_Space set).
const GO_SPACE = "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

/** strings.TrimSpace: unlike String.prototype.trim it keeps U+FEFF and removes U+0085. */
export function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && GO_SPACE.includes(text[start]!)) start++;
  while (end > start && GO_SPACE.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

export function parseTemplateHeader(content: string): TemplateHeader {
  const requires: string[] = [];
  let platform = "";
  for (const line of content.split("\n").slice(0, HEADER_LINES)) {
    const trimmed = goTrimSpace(line);
    if (trimmed.startsWith(REQUIRES)) {
      for (const field of trimmed.slice(REQUIRES.length).split(",")) {
        const name = goTrimSpace(field);
        if (name !== "") requires.push(name);
      }
    } else if (trimmed.startsWith(PLATFORM)) {
      platform = goTrimSpace(trimmed.slice(PLATFORM.length));
    }
  }
  return { requires, platform };
}

/** Parses a template file; an unknown `# requires:` field is an error, as in the Go tool. */
export function parseTemplate(name: string, path: string, content: string): Template {
  const header = parseTemplateHeader(content);
  for (const field of header.requires) {
    if (!isComponentField(field)) {
      const line = content.split("\n").slice(0, HEADER_LINES).findIndex((l) => goTrimSpace(l).startsWith(REQUIRES) && l.includes(field)) + 1;
      throw new TemplateError(`unrecognized field ${goQuote(field)} in # requires: directive (expected one of ${COMPONENT_FIELDS.join(", ")})`, path, line || undefined);
    }
  }
  return { name, path, header, content };
}

/** Removes the header comments from the first five lines, then leading newlines. */
export function stripHeaderComments(content: string): string {
  const kept = content.split("\n").filter((line, index) => {
    const trimmed = goTrimSpace(line);
    return !(index < HEADER_LINES && (trimmed.startsWith(REQUIRES) || trimmed.startsWith(PLATFORM)));
  });
  return kept.join("\n").replace(/^\n+/, "");
}

export function matchesPlatform(templatePlatform: string, profilePlatform: string): boolean {
  return templatePlatform === "" || templatePlatform === profilePlatform;
}

/** Every required field is present and non-empty in the component's variables. */
export function matchesComponent(requires: readonly string[], variables: ReadonlyMap<string, string>): boolean {
  return requires.every((field) => (variables.get(field.toUpperCase()) ?? "") !== "");
}

const KNOWN_PLACEHOLDER = /\$\{([A-Z_]+)\}/g;
const ANY_PLACEHOLDER = /\$\{[^}]+\}/g;

/**
 * Replaces ${VAR} with its value, once (a value is never expanded again). A value with a newline, a
 * ${VAR} without a value or any other ${...} is an error naming the template line it is on.
 */
export function substituteVariables(template: Template, variables: ReadonlyMap<string, string>): string {
  for (const [name, value] of [...variables].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (/[\n\r]/.test(value)) throw new TemplateError(`variable ${name} value contains newline characters (YAML injection risk)`, template.path);
  }
  const stripped = stripHeaderComments(template.content);
  const result = stripped.replace(KNOWN_PLACEHOLDER, (match, name: string) => variables.get(name) ?? match);
  const unresolved = [...result.matchAll(KNOWN_PLACEHOLDER)].map((m) => m[0]);
  if (unresolved.length > 0) {
    throw new TemplateError(`unresolved variables: ${unresolved.join(", ")}${origin(template, unresolved[0]!)}`, template.path, lineOf(template.content, unresolved[0]!));
  }
  const nonStandard = [...result.matchAll(ANY_PLACEHOLDER)].map((m) => m[0]);
  if (nonStandard.length > 0) {
    throw new TemplateError(`unresolved variable placeholders (use UPPER_CASE): ${nonStandard.join(", ")}${origin(template, nonStandard[0]!)}`, template.path, lineOf(template.content, nonStandard[0]!));
  }
  return result;
}

/** 1-based line of the first occurrence in the template, or undefined when a value introduced it. */
function lineOf(content: string, placeholder: string): number | undefined {
  const index = content.split("\n").findIndex((line) => line.includes(placeholder));
  return index < 0 ? undefined : index + 1;
}

function origin(template: Template, placeholder: string): string {
  return lineOf(template.content, placeholder) === undefined ? " (introduced by a profile value)" : "";
}

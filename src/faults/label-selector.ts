// Kubernetes label selectors (the `-l` syntax of kubectl): parsing, and the rules for label keys and
// values. Used to validate labelSelector parameters exactly as the API server would read them.

export type SelectorOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | ">" | "<";

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export type SelectorParseResult =
  | { readonly ok: true; readonly requirements: readonly SelectorRequirement[] }
  | { readonly ok: false; readonly error: string };

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key (optional DNS prefix + "/" + name), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  if (key === "") return "a label key must not be empty";
  const slash = key.lastIndexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix === "") return `label key ${JSON.stringify(key)} has an empty prefix before "/"`;
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `the prefix of label key ${JSON.stringify(key)} must be a lowercase DNS subdomain of at most 253 characters`;
    }
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `the name part of label key ${JSON.stringify(key)} must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is ("" is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return `label value ${JSON.stringify(value)} must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

type Token =
  | { kind: "word"; text: string }
  | { kind: "symbol"; text: "!" | "=" | "==" | "!=" | "(" | ")" | "," | ">" | "<" }
  | { kind: "end" };

const SYMBOL_START = new Set(["!", "=", "(", ")", ",", ">", "<"]);

function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < selector.length) {
    const char = selector[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (SYMBOL_START.has(char)) {
      const pair = selector.slice(index, index + 2);
      if (pair === "==" || pair === "!=") {
        tokens.push({ kind: "symbol", text: pair });
        index += 2;
      } else {
        tokens.push({ kind: "symbol", text: char as "!" | "=" | "(" | ")" | "," | ">" | "<" });
        index++;
      }
      continue;
    }
    let end = index;
    while (end < selector.length && !/\s/.test(selector[end]!) && !SYMBOL_START.has(selector[end]!)) end++;
    tokens.push({ kind: "word", text: selector.slice(index, end) });
    index = end;
  }
  tokens.push({ kind: "end" });
  return tokens;
}

/** Parses a selector such as `app=x,tier in (a,b),!legacy`. The empty selector parses to no requirement. */
export function parseLabelSelector(selector: string): SelectorParseResult {
  const tokens = tokenize(selector);
  const requirements: SelectorRequirement[] = [];
  let position = 0;
  const peek = (): Token => tokens[position]!;
  const next = (): Token => tokens[position++]!;
  const fail = (error: string): SelectorParseResult => ({ ok: false, error });
  const describe = (token: Token): string => (token.kind === "end" ? "the end" : JSON.stringify(token.text));

  if (peek().kind === "end") return { ok: true, requirements };
  for (;;) {
    let token = next();
    let operator: SelectorOperator;
    let key: string;
    const values: string[] = [];
    if (token.kind === "symbol" && token.text === "!") {
      token = next();
      if (token.kind !== "word") return fail(`expected a label key after "!", found ${describe(token)}`);
      key = token.text;
      operator = "!";
    } else {
      if (token.kind !== "word") return fail(`expected a label key, found ${describe(token)}`);
      key = token.text;
      const after = peek();
      if (after.kind === "end" || (after.kind === "symbol" && after.text === ",")) {
        operator = "exists";
      } else if (after.kind === "symbol" && (after.text === "=" || after.text === "==" || after.text === "!=")) {
        next();
        operator = after.text;
        const value = peek();
        if (value.kind === "word") {
          values.push(value.text);
          next();
        } else if (value.kind === "end" || (value.kind === "symbol" && value.text === ",")) {
          values.push(""); // `key=` selects the empty value
        } else {
          return fail(`expected a value after ${JSON.stringify(after.text)}, found ${describe(value)}`);
        }
      } else if (after.kind === "symbol" && (after.text === ">" || after.text === "<")) {
        next();
        operator = after.text;
        const value = next();
        if (value.kind !== "word" || !/^-?[0-9]+$/.test(value.text)) {
          return fail(`expected an integer after ${JSON.stringify(after.text)}, found ${describe(value)}`);
        }
        values.push(value.text);
      } else if (after.kind === "word" && (after.text === "in" || after.text === "notin")) {
        next();
        operator = after.text;
        const open = next();
        if (open.kind !== "symbol" || open.text !== "(") return fail(`expected "(" after ${after.text}, found ${describe(open)}`);
        for (;;) {
          const value = peek();
          if (value.kind === "word") {
            values.push(value.text);
            next();
          } else if (value.kind === "symbol" && (value.text === "," || value.text === ")")) {
            values.push("");
          } else {
            return fail(`expected a value in the set, found ${describe(value)}`);
          }
          const separator = next();
          if (separator.kind === "symbol" && separator.text === ")") break;
          if (separator.kind !== "symbol" || separator.text !== ",") {
            return fail(`expected "," or ")" in the set, found ${describe(separator)}`);
          }
        }
        // `in ()` reads as the set {""}, as the API server reads it.
      } else {
        return fail(`expected an operator (=, ==, !=, in, notin, >, <) or "," after ${JSON.stringify(key)}, found ${describe(after)}`);
      }
    }
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) return fail(keyProblem);
    for (const value of values) {
      const valueProblem = labelValueProblem(value);
      if (valueProblem !== undefined) return fail(valueProblem);
    }
    requirements.push({ key, operator, values });
    const separator = next();
    if (separator.kind === "end") return { ok: true, requirements };
    if (separator.kind !== "symbol" || separator.text !== ",") {
      return fail(`expected "," between requirements, found ${describe(separator)}`);
    }
  }
}

/** Requirements a NetworkPolicy podSelector can express as matchLabels: =, == and `in` with one value. */
export function isEqualityRequirement(requirement: SelectorRequirement): boolean {
  return (
    requirement.operator === "=" ||
    requirement.operator === "==" ||
    (requirement.operator === "in" && requirement.values.length === 1)
  );
}

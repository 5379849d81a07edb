// Reads a profile the way the Go tool does (sigs.k8s.io/yaml over go-yaml v2, then encoding/json into
// typed fields), so the same profile.yaml gives the same variables here: YAML 1.1 scalars (`yes` is
// true, `0777` is 511), numbers and booleans written where a string is expected become their Go
// string form, and a field name matches case-insensitively as encoding/json does. Pure.

import { isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Scalar } from "yaml";

/** A plain scalar go-yaml v2 resolves to a number or boolean, with the text sigs.k8s.io/yaml gives it when a string is expected. */
export class GoScalar {
  constructor(readonly kind: "int" | "float" | "bool", readonly text: string) {}
}

/** A decoded value: string, GoScalar, null, an object (string keys) or an array. Positions ride along. */
export type GoValue = string | GoScalar | null | GoObject | GoValue[];
export interface GoObject {
  readonly entries: Map<string, GoValue>;
  /** 1-based line of each key, for messages. */
  readonly lines: Map<string, number>;
}

export class GoYamlError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
    this.name = "GoYamlError";
  }
}

const TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const FALSE = new Set(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]);
const NULL = new Set(["", "~", "null", "Null", "NULL"]);
const NAN = new Set([".nan", ".NaN", ".NAN"]);
const INF = new Set([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]);
const NEG_INF = new Set(["-.inf", "-.Inf", "-.INF"]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** go-yaml v2's resolution of an untagged plain scalar. */
export function resolvePlain(text: string): string | GoScalar | null {
  const first = text[0];
  const hinted = first !== undefined && "+-0123456789.yYnNtTfFoO~".includes(first);
  if (text === "" || (hinted && NULL.has(text))) return null;
  if (!hinted) return text;
  if (TRUE.has(text)) return new GoScalar("bool", "true");
  if (FALSE.has(text)) return new GoScalar("bool", "false");
  if (NAN.has(text)) return new GoScalar("float", "NaN");
  if (INF.has(text)) return new GoScalar("float", "+Inf");
  if (NEG_INF.has(text)) return new GoScalar("float", "-Inf");
  if (first === ".") {
    const value = goParseFloat(text);
    return value === undefined ? text : new GoScalar("float", formatFloat32(value));
  }
  if (!"+-0123456789".includes(first!)) return text;
  const plain = text.replaceAll("_", "");
  const integer = goParseInt(plain);
  if (integer !== undefined) return new GoScalar("int", integer.toString());
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = goParseFloat(plain);
    if (value !== undefined) return new GoScalar("float", formatFloat32(value));
  }
  const binary = /^(-?)0b([01]+)$/.exec(plain);
  if (binary) {
    const value = BigInt(`0b${binary[2]}`) * (binary[1] ? -1n : 1n);
    if (value >= -(2n ** 63n) && value < 2n ** 63n) return new GoScalar("int", value.toString());
  }
  return text;
}

/** strconv.ParseInt(s, 0, 64), falling back to ParseUint for the uint64 range; undefined when it fails. */
function goParseInt(text: string): bigint | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const digits = match[2]!;
  const body = /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits.replace(/^0[XOB]/, (p) => p.toLowerCase());
  const value = BigInt(body) * (match[1] === "-" ? -1n : 1n);
  if (value >= -(2n ** 63n) && value < 2n ** 63n) return value;
  if (match[1] !== "-" && value < 2n ** 64n && match[1] === "") return value;
  return undefined;
}

function goParseFloat(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** strconv.FormatFloat(v, 'g', -1, 32): the shortest float32 digits, %e below 1e-4 or from 1e6. */
export function formatFloat32(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  const single = Math.fround(value);
  if (!Number.isFinite(single)) return single > 0 ? "+Inf" : "-Inf";
  if (single === 0) return Object.is(single, -0) ? "-0" : "0";
  let mantissa = "";
  let exponent = 0;
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = single.toExponential(precision - 1);
    if (Math.fround(Number(candidate)) === single) {
      const [m, e] = candidate.split("e");
      mantissa = m!.replace("-", "").replace(".", "");
      exponent = Number(e);
      break;
    }
  }
  mantissa = mantissa.replace(/0+$/, "") || "0";
  const sign = single < 0 ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    const fraction = mantissa.length > 1 ? `.${mantissa.slice(1)}` : "";
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${mantissa[0]}${fraction}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${mantissa}`;
  if (point >= mantissa.length) return `${sign}${mantissa}${"0".repeat(point - mantissa.length)}`;
  return `${sign}${mantissa.slice(0, point)}.${mantissa.slice(point)}`;
}

/** The key string sigs.k8s.io/yaml makes of a map key. */
function keyString(value: string | GoScalar | null, line: number): string {
  if (value === null) throw new GoYamlError("unsupported map key: null", line);
  if (typeof value === "string") return value;
  if (value.kind === "float") return value.text === "+Inf" ? ".inf" : value.text === "-Inf" ? "-.inf" : value.text === "NaN" ? ".nan" : value.text;
  return value.text;
}

/** Parses one YAML document into Go-decoded values. Syntax errors carry their line. */
export function decodeGoYaml(text: string): GoValue {
  const lineOf = (offset: number | undefined): number => {
    if (offset === undefined) return 0;
    let line = 1;
    for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
    return line;
  };
  const document = parseDocument(text, { version: "1.1", merge: true, uniqueKeys: false, prettyErrors: false });
  const first = document.errors[0];
  if (first) throw new GoYamlError(first.message.split("\n")[0]!, lineOf(first.pos[0]));
  // Scalars first: each becomes what go-yaml v2 would have made of it.
  visit(document, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === "symbol") return; // the merge key
      const explicitTag = node.tag !== undefined && node.tag !== "tag:yaml.org,2002:str";
      if (node.type === "PLAIN" && !explicitTag && node.tag === undefined && typeof node.source === "string" && !node.source.includes("\n")) {
        node.value = resolvePlain(node.source);
      } else if (typeof node.value !== "string" && node.value !== null && !(node.value instanceof GoScalar)) {
        node.value = String(node.value);
      }
    },
  });
  const resolveAlias = (node: Node | null | undefined): Node | null | undefined => {
    let current = node;
    for (let hops = 0; hops < 64 && isAlias(current); hops++) current = current.resolve(document) as Node | undefined;
    return current;
  };
  const convert = (raw: Node | null | undefined, depth: number): GoValue => {
    if (depth > 64) throw new GoYamlError("the document nests too deeply");
    const node = resolveAlias(raw);
    if (node === null || node === undefined) return null;
    if (isScalar(node)) return node.value as string | GoScalar | null;
    if (isSeq(node)) return node.items.map((item) => convert(item as Node, depth + 1));
    if (!isMap(node)) return null;
    const entries = new Map<string, GoValue>();
    const lines = new Map<string, number>();
    for (const pair of node.items) {
      const keyNode = resolveAlias(pair.key as Node | null);
      if (isScalar(keyNode) && typeof keyNode.value === "symbol") {
        // `<<: *anchor` (or a list of them), applied where it stands as go-yaml v2 does: it overrides
        // keys written before it, keys after it override it.
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const source of sources) {
          const merged = convert(source as Node, depth + 1);
          if (!isGoObject(merged)) continue;
          for (const [key, value] of merged.entries) {
            entries.set(key, value);
            lines.set(key, merged.lines.get(key) ?? 0);
          }
        }
        continue;
      }
      const line = lineOf((pair.key as Node | null)?.range?.[0]);
      if (!isScalar(keyNode)) throw new GoYamlError("unsupported map key: a mapping or list", line);
      const key = keyString(keyNode.value as string | GoScalar | null, line);
      entries.set(key, convert(pair.value as Node, depth + 1));
      lines.set(key, line);
    }
    return { entries, lines };
  };
  return convert(document.contents as Node | null, 0);
}

export function isGoObject(value: GoValue): value is GoObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof GoScalar);
}

/** encoding/json's case-insensitive field match (Unicode simple folding, for ASCII field names). */
export function foldsTo(key: string, field: string): boolean {
  if (key.length !== field.length && ![...key].some((c) => c === "\u017f" || c === "\u212a")) return false;
  const folded = [...key].map((c) => (c === "\u017f" ? "s" : c === "\u212a" ? "k" : /[A-Za-z]/.test(c) ? c.toLowerCase() : c)).join("");
  return folded === field.toLowerCase();
}

/** The string a Go string field ends up with, or undefined for null (json leaves the field alone). */
export function goString(value: GoValue, describe: () => string, line: number | undefined): string | undefined {
  if (value === null) return undefined;
  if (typeof value === "string") return value;
  if (value instanceof GoScalar) return value.text;
  throw new GoYamlError(`${describe()}: expected a string, got ${Array.isArray(value) ? "a list" : "a mapping"}`, line);
}

/** Byte-wise order of UTF-8 strings (Go's sort.Strings). */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

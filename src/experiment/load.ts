// Reading YAML files: size limit, UTF-8, several documents per file, and a way back from a path in a
// document (spec.injection.type) to the line and column it was written at. Never throws: every
// problem, including broken YAML, comes back as a positioned diagnostic.

import { readFile, stat } from "node:fs/promises";
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
} from "yaml";
import type { Diagnostic, IssuePath, SourcePosition } from "./diagnostic.js";
import { formatPath, type Issue } from "./diagnostic.js";
import { Limits } from "./enums.js";

export interface SourceDocument {
  /** 0-based position of the document in the file. */
  readonly index: number;
  /** Where the document's content starts. */
  readonly start: SourcePosition;
  /** The document as plain data; undefined when it could not be read (see diagnostics). */
  readonly value: unknown;
  /** True for a document with no content (e.g. after a trailing `---`). */
  readonly empty: boolean;
  /** YAML-level problems: syntax errors (errors) and oddities such as unknown tags (warnings). */
  readonly diagnostics: readonly Diagnostic[];
  /** Line and column of the node at `path`; for a missing node, its nearest existing parent's key. */
  locate(path: IssuePath, target?: "key" | "value"): SourcePosition;
}

export interface LoadedFile {
  readonly file: string;
  readonly documents: readonly SourceDocument[];
  /** Problems with the file as a whole: unreadable, too large, not UTF-8, no document. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * YAML 1.1 as read by the Go tool's decoder (so `yes`/`on` are booleans and `0755` is octal), except
 * that timestamps and base-60 numbers stay strings, as they do there when the target field is a string.
 */
const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  prettyErrors: false,
  // Duplicate keys are errors, but found by duplicateKeyOffsets in one pass: the library's own check
  // compares each key with every earlier key of its map, so a 1 MiB map of short keys took minutes.
  uniqueKeys: false,
  customTags: (tags) =>
    tags.filter((tag) => typeof tag === "string" || (tag.tag !== "tag:yaml.org,2002:timestamp" && tag.format !== "TIME")),
};

/** Anchors may be reused, but not enough to blow up memory ("billion laughs"). */
const MAX_ALIAS_EXPANSIONS = 100;

const FIRST_POSITION: SourcePosition = { line: 1, column: 1 };

function fileDiagnostic(file: string, code: string, message: string, position: SourcePosition = FIRST_POSITION, document = 0): Diagnostic {
  return { file, document, ...position, path: "", severity: "error", code, message };
}

/** Turns an issue found in `document` into a diagnostic at the right line and column. */
export function placeIssue(file: string, document: SourceDocument, found: Issue): Diagnostic {
  const position = document.locate(found.path, found.target ?? "value");
  return {
    file,
    document: document.index,
    line: position.line,
    column: position.column,
    path: formatPath(found.path),
    severity: found.severity,
    message: found.message,
    code: found.code,
    ...(found.expected !== undefined ? { expected: found.expected } : {}),
    ...(found.got !== undefined ? { got: found.got } : {}),
  };
}

/** Parses YAML text (one or more documents). `file` is only used to label diagnostics. */
export function parseYamlText(text: string, file: string): LoadedFile {
  try {
    const size = Buffer.byteLength(text, "utf8");
    if (size > Limits.maxFileBytes) return tooLarge(file, size);
    return parseWithinLimit(text.startsWith("\ufeff") ? text.slice(1) : text, file);
  } catch (error) {
    // The YAML library is not expected to throw; if it does, it is still a positioned problem of this file.
    return { file, documents: [], diagnostics: [fileDiagnostic(file, "yaml.internal", `could not read YAML: ${String(error)}`)] };
  }
}

/** Reads and parses a file; never throws. */
export async function readYamlFile(file: string): Promise<LoadedFile> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (info.isDirectory()) return failed(file, "file.directory", "is a directory, not a file");
    if (info.size > Limits.maxFileBytes) return tooLarge(file, info.size);
    bytes = await readFile(file);
  } catch (error) {
    return failed(file, "file.unreadable", describeFileError(error));
  }
  if (bytes.length > Limits.maxFileBytes) return tooLarge(file, bytes.length);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return failed(file, "file.encoding", "is not valid UTF-8 text");
  }
  return parseYamlText(text, file);
}

function failed(file: string, code: string, message: string): LoadedFile {
  return { file, documents: [], diagnostics: [fileDiagnostic(file, code, message)] };
}

function tooLarge(file: string, size: number): LoadedFile {
  return {
    file,
    documents: [],
    diagnostics: [
      {
        ...fileDiagnostic(file, "file.too-large", "file is larger than the 1 MiB limit"),
        expected: `at most ${Limits.maxFileBytes} bytes`,
        got: `${size} bytes`,
      },
    ],
  };
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return `cannot be read: ${(error as Error | undefined)?.message ?? String(error)}`;
}

function parseWithinLimit(text: string, file: string): LoadedFile {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter: lines });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, column: col };
  };
  const documents = parsed.map((document, index) => toSourceDocument(document, index, file, position));
  const fileProblems: Diagnostic[] = [];
  // A stream without documents still carries its own errors (e.g. a broken directive).
  const streamErrors = "empty" in parsed ? parsed.errors : [];
  for (const error of streamErrors) fileProblems.push(fileDiagnostic(file, `yaml.${error.code}`, error.message, position(error.pos[0])));
  if (documents.every((document) => document.empty && document.diagnostics.length === 0) && fileProblems.length === 0) {
    fileProblems.push(fileDiagnostic(file, "file.empty", "contains no YAML document"));
  }
  return { file, documents, diagnostics: fileProblems };
}

function toSourceDocument(
  document: Document.Parsed,
  index: number,
  file: string,
  position: (offset: number) => SourcePosition,
): SourceDocument {
  const diagnostics: Diagnostic[] = [];
  for (const error of document.errors) {
    diagnostics.push(fileDiagnostic(file, `yaml.${error.code}`, error.message, position(error.pos[0]), index));
  }
  const duplicates = duplicateKeyOffsets(document);
  for (const offset of duplicates) {
    diagnostics.push(fileDiagnostic(file, "yaml.DUPLICATE_KEY", "Map keys must be unique", position(offset), index));
  }
  for (const warning of document.warnings) {
    diagnostics.push({ ...fileDiagnostic(file, `yaml.${warning.code}`, warning.message, position(warning.pos[0]), index), severity: "warning" });
  }
  const contents = document.contents;
  const startOffset = contents?.range?.[0] ?? document.range[0];
  const keyIndexes: KeyIndexes = new WeakMap();
  let value: unknown;
  if (document.errors.length === 0 && duplicates.length === 0) {
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
    } catch (error) {
      diagnostics.push(fileDiagnostic(file, "yaml.aliases", `cannot expand the document: ${(error as Error).message}`, position(startOffset), index));
    }
  }
  return {
    index,
    start: position(startOffset),
    value,
    empty: contents === null || (isScalar(contents) && contents.value === null && contents.source === ""),
    diagnostics,
    locate: (path, target = "value") => position(offsetOf(document, path, target, startOffset, keyIndexes)),
  };
}

/**
 * Offsets of the keys that repeat an earlier key of the same map (scalar keys compared by value, as
 * the YAML library compares them), in linear time and without recursion (nesting may be deep).
 */
function duplicateKeyOffsets(document: Document.Parsed): number[] {
  const found: number[] = [];
  const pending: unknown[] = [document.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          if (seen.has(pair.key.value)) found.push(pair.key.range?.[0] ?? 0);
          else seen.add(pair.key.value);
        }
        pending.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(isPair(item) ? item.value : item);
    }
  }
  return found.sort((a, b) => a - b);
}

/** Per map, its pairs by key text (the first pair of each key), built on first use. */
type KeyIndexes = WeakMap<object, Map<string, { key: unknown; value: unknown }>>;

function pairByKey(node: { items: { key: unknown; value: unknown }[] }, key: string, indexes: KeyIndexes): { key: unknown; value: unknown } | undefined {
  let index = indexes.get(node);
  if (index === undefined) {
    index = new Map();
    for (const pair of node.items) {
      const text = keyText(pair.key);
      if (text !== undefined && !index.has(text)) index.set(text, pair);
    }
    indexes.set(node, index);
  }
  return index.get(key);
}

/**
 * Offset of the node at `path`; for a missing node, of the key of its nearest existing parent.
 * Keys are looked up in an index per map: a map with thousands of unknown keys gets one issue per
 * key, and a linear search for each made that quadratic.
 */
function offsetOf(document: Document.Parsed, path: IssuePath, target: "key" | "value", startOffset: number, indexes: KeyIndexes): number {
  let node: unknown = document.contents;
  let fallback = startOffset;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index]!;
    const last = index === path.length - 1;
    if (isAlias(node)) node = node.resolve(document);
    if (isMap(node)) {
      const pair = pairByKey(node, String(segment), indexes);
      if (pair === undefined) return fallback;
      const keyOffset = (pair.key as YamlNode | null)?.range?.[0] ?? fallback;
      if (last && target === "key") return keyOffset;
      fallback = keyOffset;
      node = pair.value;
      if (last) return (node as YamlNode | null)?.range?.[0] ?? keyOffset;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as YamlNode | undefined;
      if (item === undefined || item === null) return fallback;
      fallback = item.range?.[0] ?? fallback;
      node = item;
      if (last) return fallback;
    } else {
      return fallback;
    }
  }
  return fallback;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return key === null || key === undefined ? undefined : String(key);
}

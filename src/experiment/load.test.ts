import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "./diagnostic.js";
import { parseYamlText, readYamlFile } from "./load.js";
import { positionIn } from "./testing.js";
import { allDiagnostics, validateText } from "./validate.js";

async function temporaryDirectory(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), "oc-loader-"));
}

describe("source positions", () => {
  const text = "a:\n  b:\n    - x\n    - c: 1\n  d: &anchor\n    e: 2\n  f: *anchor\n";
  const document = parseYamlText(text, "p.yaml").documents[0]!;

  it("finds values, keys and list items", () => {
    expect(document.locate(["a", "b", 1, "c"])).toEqual(positionIn(text, "c: ", "after"));
    expect(document.locate(["a", "b", 1, "c"], "key")).toEqual(positionIn(text, "c: "));
    expect(document.locate(["a", "b", 0])).toEqual(positionIn(text, "x"));
  });

  it("places a missing node at its nearest existing parent's key", () => {
    expect(document.locate(["a", "b", 1, "missing"])).toEqual(positionIn(text, "c: "));
    expect(document.locate(["a", "nothing", "deeper"])).toEqual(positionIn(text, "a:"));
    expect(document.locate(["a", "b", 9])).toEqual(positionIn(text, "b:"));
  });

  it("follows aliases to the anchored node", () => {
    expect(document.locate(["a", "f", "e"])).toEqual(positionIn(text, "e: ", "after"));
  });

  it("places the whole document at its first node", () => {
    expect(parseYamlText("# c\n\nkey: v\n", "x.yaml").documents[0]!.locate([])).toEqual({ line: 3, column: 1 });
  });
});

describe("reading YAML", () => {
  it("returns syntax errors with positions instead of throwing", () => {
    const loaded = parseYamlText("a: [1, 2\nb: 3\n", "bad.yaml");
    const errors = loaded.documents.flatMap((document) => document.diagnostics);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.code).toMatch(/^yaml\./);
    expect(errors[0]!.line).toBeGreaterThanOrEqual(1);
    expect(loaded.documents[0]!.value).toBeUndefined();
  });

  it("reports a duplicate key at the duplicate", () => {
    const text = "a: 1\nb: 2\na: 3\n";
    const diagnostic = parseYamlText(text, "dup.yaml").documents[0]!.diagnostics[0]!;
    expect(diagnostic.code).toBe("yaml.DUPLICATE_KEY");
    expect({ line: diagnostic.line, column: diagnostic.column }).toEqual({ line: 3, column: 1 });
  });

  it("reads YAML 1.1 scalars as the Go tool's decoder does, but keeps timestamps and 1:30 as text", () => {
    const value = parseYamlText("a: yes\nb: off\nc: 0755\nd: 2024-01-01\ne: 1:30\nf: ~\n", "s.yaml").documents[0]!.value;
    expect(value).toEqual({ a: true, b: false, c: 493, d: "2024-01-01", e: "1:30", f: null });
  });

  it("splits documents at --- and ignores an empty trailing one", () => {
    const loaded = parseYamlText("a: 1\n---\nb: 2\n---\n", "m.yaml");
    expect(loaded.documents.map((document) => [document.index, document.empty, document.start.line])).toEqual([
      [0, false, 1],
      [1, false, 3],
      [2, true, 4],
    ]);
    expect(validateText("a: 1\n---\n", "m.yaml").documents).toHaveLength(1);
  });

  it("refuses to expand alias bombs", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 6 }, (_, i) => `${"bcdefg"[i]}: &${"bcdefg"[i]} [${Array(10).fill(`*${"abcdef"[i]}`).join(", ")}]`)].join("\n");
    const diagnostics = parseYamlText(`${bomb}\n`, "bomb.yaml").documents[0]!.diagnostics;
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toContain("yaml.aliases");
  });

  it("warns about unknown tags", () => {
    const diagnostics = parseYamlText("a: !custom x\n", "t.yaml").documents[0]!.diagnostics;
    expect(diagnostics.map((diagnostic) => diagnostic.severity)).toEqual(["warning"]);
  });

  it("strips a byte order mark", () => {
    expect(parseYamlText("\ufeffa: 1\n", "bom.yaml").documents[0]!.value).toEqual({ a: 1 });
  });

  it("rejects text over 1 MiB", () => {
    const loaded = parseYamlText(`a: "${"x".repeat(1024 * 1024)}"\n`, "big.yaml");
    expect(loaded.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.line, diagnostic.column])).toEqual([["file.too-large", 1, 1]]);
  });

  it("reports an empty file", () => {
    expect(parseYamlText("# only a comment\n", "e.yaml").diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["file.empty"]);
  });
});

describe("reading files", () => {
  it("rejects files over 1 MiB without parsing them", async () => {
    const directory = await temporaryDirectory();
    const file = path.join(directory, "big.yaml");
    await writeFile(file, `a: "${"x".repeat(1024 * 1024)}"\n`);
    const loaded = await readYamlFile(file);
    expect(loaded.diagnostics[0]).toMatchObject({ code: "file.too-large", got: `${1024 * 1024 + 6} bytes`, expected: "at most 1048576 bytes" });
  });

  it("accepts a file of exactly 1 MiB", async () => {
    const directory = await temporaryDirectory();
    const file = path.join(directory, "edge.yaml");
    const body = "# ".padEnd(1024 * 1024 - 6, "x");
    await writeFile(file, `${body}\na: 1\n`);
    expect((await readYamlFile(file)).diagnostics).toEqual([]);
  });

  it("reports missing files, directories and bytes that are not UTF-8", async () => {
    const directory = await temporaryDirectory();
    await mkdir(path.join(directory, "sub"));
    await writeFile(path.join(directory, "latin1.yaml"), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    const codes = async (file: string) => (await readYamlFile(path.join(directory, file))).diagnostics.map((diagnostic) => diagnostic.code);
    expect(await codes("nope.yaml")).toEqual(["file.unreadable"]);
    expect(await codes("sub")).toEqual(["file.directory"]);
    expect(await codes("latin1.yaml")).toEqual(["file.encoding"]);
  });
});

function expectPositioned(diagnostics: readonly Diagnostic[], text: string): void {
  const lines = text.split("\n").length;
  for (const diagnostic of diagnostics) {
    expect(diagnostic.file).toBe("fuzz.yaml");
    expect(Number.isInteger(diagnostic.line) && diagnostic.line >= 1 && diagnostic.line <= lines).toBe(true);
    expect(Number.isInteger(diagnostic.column) && diagnostic.column >= 1).toBe(true);
    expect(diagnostic.message.length).toBeGreaterThan(0);
  }
}

/** Field names of the format, so random trees reach the deeper rules. */
const FIELD_NAMES = [
  "apiVersion", "kind", "metadata", "name", "namespace", "spec", "target", "operator", "component", "injection", "type",
  "parameters", "count", "ttl", "dangerLevel", "blastRadius", "maxPodsAffected", "allowedNamespaces", "allowDangerous",
  "hypothesis", "description", "recoveryTimeout", "steadyState", "checks", "tier", "labelSelector", "components", "recovery",
];

describe("the loader never throws (property tests)", () => {
  it("on arbitrary text, and every diagnostic is positioned", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: fc.constantFrom(..."{}[]:-,&*!|>'\"#%@`\n\t ab1") })), (text) => {
        const result = validateText(text, "fuzz.yaml");
        expectPositioned(allDiagnostics(result), text);
      }),
      { numRuns: 400 },
    );
  });

  it("on arbitrary YAML trees, including ones shaped like experiments", () => {
    const key = fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 6 }));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom("PodKill", "high", "30s", "-1s", "app=x")),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(key, tie("node"), { maxKeys: 5 }),
      ),
    })).node;
    const document = fc.oneof(
      tree,
      fc.record({ apiVersion: fc.constant("chaos.operatorchaos.io/v1alpha1"), kind: fc.constant("ChaosExperiment"), spec: tree, metadata: tree }),
      fc.record({ operator: tree, components: tree, recovery: tree }),
    );
    fc.assert(
      fc.property(document, (value) => {
        const text = stringify(value, { version: "1.1" });
        const result = validateText(text, "fuzz.yaml");
        expectPositioned(allDiagnostics(result), text);
        expect(["valid", "invalid", "skipped"]).toContain(result.status);
      }),
      { numRuns: 400 },
    );
  });
});

import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collectYamlFiles, globToRegExp } from "./files.js";

describe("globToRegExp", () => {
  it.each([
    ["*.yaml", "a.yaml", true],
    ["*.yaml", "d/a.yaml", false],
    ["**/*.yaml", "a.yaml", true],
    ["**/*.yaml", "d/e/a.yaml", true],
    ["d/**/x-?.y{a,}ml", "d/e/x-1.yml", true],
    ["d/**/x-?.y{a,}ml", "d/e/x-10.yml", false],
    ["[ab].yaml", "b.yaml", true],
    ["[!ab].yaml", "b.yaml", false],
    ["a.yaml", "aXyaml", false],
  ])("%s matches %s: %s", (pattern, file, matches) => {
    expect(globToRegExp(pattern).test(file)).toBe(matches);
  });
});

describe("collectYamlFiles", () => {
  it("walks directories (sorted, .yaml/.yml only, hidden skipped), expands globs and reports what matched nothing", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "oc-files-"));
    for (const file of ["b.yaml", "a.yml", "notes.txt", "sub/c.yaml", ".git/d.yaml", "node_modules/e.yaml"]) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), "a: 1\n");
    }
    const collected = await collectYamlFiles([root, path.join(root, "b.yaml"), `${root.split(path.sep).join("/")}/**/c.yaml`, path.join(root, "missing.yaml"), `${root}/*.json`]);
    expect(collected.files.map((file) => path.relative(root, file))).toEqual(["a.yml", "b.yaml", path.join("sub", "c.yaml")]);
    expect(collected.unmatched.map((entry) => entry.reason)).toEqual(["no such file or directory", "no file matches this pattern"]);
  });
});

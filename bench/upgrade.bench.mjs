#!/usr/bin/env node
// Benchmark of `diff-crds` over a large CRD pair: 5,000 schema properties per side (50 objects of 100
// fields), the target with 5% of the fields edited (removed, retyped, newly required, enum narrowed).
// Prints one JSON line per measure: {name, value, unit, command}. Needs a build (npm run build).
// Usage: node bench/upgrade.bench.mjs [--runs N]

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stringify } from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const main = path.join(root, "dist", "src", "cli", "main.js");
const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag === -1 ? 9 : Number(process.argv[runsFlag + 1]);
if (!existsSync(main)) {
  console.error("dist/src/cli/main.js is missing: run `npm run build` first");
  process.exit(2);
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function crd(edited) {
  const groups = {};
  for (let g = 0; g < 50; g++) {
    const properties = {};
    const required = [];
    for (let f = 0; f < 100; f++) {
      const n = g * 100 + f;
      const field = { type: "string", enum: ["a", "b", "c"] };
      if (edited && n % 80 === 0) continue; // removed
      if (edited && n % 80 === 20) field.type = "integer";
      if (edited && n % 80 === 40) required.push(`f${f}`);
      if (edited && n % 80 === 60) field.enum = ["a", "b"];
      properties[`f${f}`] = field;
    }
    groups[`g${g}`] = { type: "object", properties, ...(required.length ? { required } : {}) };
  }
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "bigs.bench.io" },
    spec: { group: "bench.io", names: { kind: "Big", plural: "bigs" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: groups } } } } }] },
  };
}

const source = crd(false);
const target = crd(true);
const { diffCrds } = await import(pathToFileURL(path.join(root, "dist", "src", "upgrade", "crd-diff.js")).href);
const times = [];
let changes = 0;
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  changes = diffCrds([source], [target]).crds[0].changes.length;
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
if (changes !== 250) throw new Error(`expected 250 changes, got ${changes}`);
console.log(JSON.stringify({ name: "diff_crds.5000_properties.in_process", value: Number(median(times).toFixed(1)), unit: "ms", command: `node bench/upgrade.bench.mjs (median of ${runs}, diffCrds over 5,000 properties, 250 changes)` }));

const scratch = mkdtempSync(path.join(tmpdir(), "oc-bench-crd-"));
try {
  writeFileSync(path.join(scratch, "source.yaml"), stringify(source));
  writeFileSync(path.join(scratch, "target.yaml"), stringify(target));
  const rssFile = path.join(scratch, "rss");
  const wall = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    const t0 = Date.now();
    const result = spawnSync(process.execPath, ["--import", path.join(root, "bench", "maxrss.mjs"), main, "diff-crds", "--source", path.join(scratch, "source.yaml"), "--target", path.join(scratch, "target.yaml"), "-o", "json"], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
      env: { ...process.env, OPERATOR_CHAOS_MAXRSS_FILE: rssFile },
    });
    wall.push(Date.now() - t0);
    if (result.status !== 1) throw new Error(`diff-crds exited ${result.status}: ${result.stderr}`);
  }
  const rss = readFileSync(rssFile, "utf8").trim().split("\n").map(Number);
  console.log(JSON.stringify({ name: "diff_crds.5000_properties.cli", value: median(wall), unit: "ms", command: "node bench/upgrade.bench.mjs (operator-chaos diff-crds -o json, two 5,000-property CRD files, median of 5)" }));
  console.log(JSON.stringify({ name: "diff_crds.5000_properties.cli_max_rss", value: Math.round(Math.max(...rss) / 1024), unit: "MiB", command: "node bench/upgrade.bench.mjs (peak RSS of operator-chaos diff-crds)" }));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

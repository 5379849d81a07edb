#!/usr/bin/env node
// `npm run test:compat [DIR]`: the compatibility check against the Go tool's own files — every corpus
// experiment and knowledge model accepted, its invalid test file rejected with positioned messages,
// the seed page matching the project's fixture, the fuzzer over every corpus file. DIR is the corpus
// (default ../shared/corpus beside the repository); the seed page is DIR/../seed/… unless
// OPERATOR_CHAOS_SEED names it. Ends with "N passed, N failed", like `npm test`.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runVitest } from "./vitest-run.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [directory, ...rest] = process.argv.slice(2);
const corpus = path.resolve(directory ?? path.join(root, "..", "shared", "corpus"));
if (!existsSync(path.join(corpus, "experiments"))) {
  console.log(`test:compat: no corpus at ${corpus} (expected its experiments/ directory); usage: npm run test:compat [DIR]`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const { passed, failed, ok } = runVitest(["--project", "compat", ...rest], {
  env: { ...process.env, OPERATOR_CHAOS_CORPUS: corpus },
  resultsFile: ".vitest-compat-results.json",
});
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);

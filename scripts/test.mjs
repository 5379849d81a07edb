#!/usr/bin/env node
// The README's test command: sets up what is missing, builds, runs every test (unit and lab:
// the lab project's global setup builds the control plane once and starts one lab), and ends
// with the line CI reads: "N passed, N failed".
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { ensureSetup } from "./setup.mjs";

try {
  ensureSetup();
} catch (error) {
  console.log(`set-up failed: ${error.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const resultsFile = ".vitest-results.json";
rmSync(resultsFile, { force: true });
const args = ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${resultsFile}`, ...process.argv.slice(2)];
const run = spawnSync("npx", args, { stdio: "inherit" });
let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(resultsFile, "utf8"));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  // A file that failed to load (or whose hooks failed) has no failed test of its own: count it.
  if (failed === 0) failed = (results.numFailedTestSuites ?? 0) + (results.numRuntimeErrorTestSuites ?? 0);
} catch (error) {
  console.log(`could not read the test results (${error.message})`);
}
if (run.status !== 0 && failed === 0) failed = 1; // e.g. the lab (global setup) failed before any test ran
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);

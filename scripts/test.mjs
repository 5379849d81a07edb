#!/usr/bin/env node
// The README's test command: builds the project, runs every test (unit and lab), and ends with the
// line CI reads: "N passed, N failed".
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

const build = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
if (build.status !== 0) {
  console.log("build failed");
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
  failed = Math.max(failed, 1);
}
if (run.status !== 0 && failed === 0) failed = 1; // e.g. the global setup (the lab) failed before any test ran
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);

// Runs vitest once with a JSON reporter beside the default one, and reads back how many tests passed
// and failed (shared by `npm test` and `npm run test:compat`, which each end with "N passed, N failed").
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

/** @returns {{ passed: number, failed: number, ok: boolean }} */
export function runVitest(args, { env = process.env, resultsFile = ".vitest-results.json" } = {}) {
  rmSync(resultsFile, { force: true });
  const run = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${resultsFile}`, ...args], { stdio: "inherit", env });
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
  return { passed, failed, ok: run.status === 0 && failed === 0 };
}

#!/usr/bin/env node
// The README's test command: sets up what is missing, builds, runs every test of the repository (the
// `unit` and `lab` projects: the lab project's global setup builds the control plane once and starts
// one lab), and ends with the line CI reads: "N passed, N failed". It reads nothing outside the
// repository; the Go tool's corpus is `npm run test:compat` (scripts/test-compat.mjs).
import { ensureSetup } from "./setup.mjs";
import { runVitest } from "./vitest-run.mjs";

try {
  ensureSetup();
} catch (error) {
  console.log(`set-up failed: ${error.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const args = process.argv.slice(2);
const projects = args.some((arg) => arg === "--project" || arg.startsWith("--project=")) ? [] : ["--project", "unit", "--project", "lab"];
const { passed, failed, ok } = runVitest([...projects, ...args]);
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);

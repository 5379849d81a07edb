import type { TestProject } from "vitest/node";
import { labDown } from "../../src/lab/down.js";
import { labUp } from "../../src/lab/up.js";
import type { LabState } from "../../src/lab/state.js";

declare module "vitest" {
  export interface ProvidedContext {
    lab: LabState;
  }
}

/**
 * Starts ONE lab for the whole test run and stops it at the end. No test that needs a cluster
 * can skip: when the lab cannot start, this throws and the run fails with the reason.
 * OPERATOR_CHAOS_TEST_LAB names it (default: a name unique to this run) so a developer can keep
 * one up between runs with OPERATOR_CHAOS_KEEP_LAB=1.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = process.env.OPERATOR_CHAOS_TEST_LAB ?? `test-${process.pid}`;
  const started = Date.now();
  const state = await labUp({ name, progress: (line) => process.stderr.write(`[lab ${name}] ${line}\n`) });
  process.stderr.write(`[lab ${name}] Ready in ${((Date.now() - started) / 1000).toFixed(1)}s at ${state.server}\n`);
  project.provide("lab", state);
  return async () => {
    if (process.env.OPERATOR_CHAOS_KEEP_LAB === "1") return;
    await labDown(name);
  };
}

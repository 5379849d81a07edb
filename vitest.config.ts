import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

// Three projects: `unit` (pure logic, no cluster, runs in seconds), `lab` (tests against a real
// control plane) and `compat` (the Go tool's own files, outside the repository: only
// `npm run test:compat [DIR]` runs it, never `npm test`). The lab project's global setup starts ONE
// lab for the whole run, shared by every lab test file; each file works in namespaces of its own. If
// the lab cannot start, the run fails.
const corpus = process.env.OPERATOR_CHAOS_CORPUS ?? fileURLToPath(new URL("../shared/corpus", import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "examples/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "lab",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/compat/**"],
          globalSetup: ["test/setup/lab-global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          // Cluster tests share a 2-core machine with the control plane: one file at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "compat",
          // The corpus checks, and the fuzzer run over every corpus file instead of the project's fixtures.
          include: ["test/compat/**/*.test.ts", "src/experiment/fuzz.test.ts"],
          env: { OPERATOR_CHAOS_CORPUS: corpus },
          testTimeout: 30_000,
        },
      },
    ],
  },
});

import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure logic, no cluster, runs in seconds) and `lab` (tests against a real
// control plane). The lab project's global setup starts ONE lab for the whole run, shared by every
// lab test file; each file works in namespaces of its own. If the lab cannot start, the run fails.
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
          globalSetup: ["test/setup/lab-global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          // Cluster tests share a 2-core machine with the control plane: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});

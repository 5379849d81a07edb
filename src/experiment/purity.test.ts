// The core (format, validation, fault validation, safety rules) stays free of network, process and
// Kubernetes-client modules, so `validate` starts fast and the rules can run anywhere. Checked on the
// static import graph, transitively: a driver that needs the cluster imports it inside its runtime
// methods (`await import(...)`), never at the top of the file.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "./package-root.js";

const FORBIDDEN = new Set([
  "node:http",
  "node:https",
  "http",
  "https",
  "node:net",
  "net",
  "node:child_process",
  "child_process",
  "@kubernetes/client-node",
]);

/** Specifiers of static imports and re-exports that survive compilation (not `import type`). */
function runtimeImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?\sfrom\s+["']([^"']+)["']/gm)) {
    if (match[1] === undefined) specifiers.push(match[2]!);
  }
  for (const match of source.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) specifiers.push(match[1]!);
  return specifiers;
}

/** Every forbidden module reachable from `entry`, with the chain of files that leads to it. */
function forbiddenReachable(entry: string, forbidden: ReadonlySet<string> = FORBIDDEN): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: readonly string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeImports(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".")) {
        const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"));
        if (existsSync(target)) visit(target, [...chain, path.relative(packageRoot(), target)]);
      } else if (forbidden.has(specifier)) {
        found.push(`${[...chain, specifier].join(" → ")}`);
      }
    }
  };
  visit(entry, [path.relative(packageRoot(), entry)]);
  return found;
}

describe("the core stays pure", () => {
  const root = path.join(packageRoot(), "src");
  it.each([
    "experiment/validate.ts",
    "experiment/load.ts",
    "experiment/generate.ts",
    "faults/registry.ts",
    "safety/rules.ts",
    "cli/validate.ts",
    "cli/files.ts",
    "cli/types.ts",
    "cli/init.ts",
    // The playbook format reads YAML with the experiment loader (which can read files), never the cluster.
    "upgrade/playbook.ts",
    "upgrade/playbook-generate.ts",
  ])("src/%s reaches no network, process or Kubernetes client module", (entry) => {
    expect(forbiddenReachable(path.join(root, entry))).toEqual([]);
  });

  // The decision-making core of a run — verdict, timeline derivations, check evaluation, run
  // settings, safety rules, report rendering — touches neither the cluster nor the disk.
  const CORE_FORBIDDEN = new Set([...FORBIDDEN, "node:fs", "fs", "node:fs/promises", "fs/promises"]);
  it.each([
    "verdict/verdict.ts",
    "observe/timeline.ts",
    "observe/checks.ts",
    "engine/settings.ts",
    "probe/probe.ts",
    "probe/select.ts",
    "safety/rules.ts",
    "report/report.ts",
    "report/junit.ts",
    "report/markdown.ts",
    "report/summary.ts",
    "upgrade/knowledge-diff.ts",
    "upgrade/crd-diff.ts",
    "upgrade/simulate.ts",
    "upgrade/format.ts",
    "upgrade/version-check.ts",
    "upgrade/playbook-state.ts",
  ])("the core module src/%s does no I/O at all", (entry) => {
    expect(forbiddenReachable(path.join(root, entry), CORE_FORBIDDEN)).toEqual([]);
  });

  it("notices a forbidden import when there is one", () => {
    expect(runtimeImports('import { request } from "node:http";\nimport type { KubeConfig } from "@kubernetes/client-node";\n')).toEqual(["node:http"]);
  });
});

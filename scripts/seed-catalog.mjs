// Shared by the demo (--suite) and the suite benchmark.
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * The catalog has an experiment for every fault type (29 files); the suite demo keeps the four seed fault
 * types, whose verdicts against the shipped demo operator are the ones the seed page promises. Templates that
 * break the controller manager's own Deployment in place are not repaired by anything in the lab.
 */
export function keepSeedFaultTypes(catalogDir) {
  const seedFiles = new Set(["pod-kill.yaml", "config-drift.yaml", "network-partition.yaml", "rbac-revoke.yaml"]);
  for (const entry of readdirSync(catalogDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".yaml") && !seedFiles.has(entry.name)) rmSync(join(entry.parentPath ?? entry.path, entry.name));
  }
}

import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { INJECTION_TYPES } from "../experiment/enums.js";
import { formatDiagnostic } from "../experiment/diagnostic.js";
import { allDiagnostics, validateText } from "../experiment/validate.js";
import { getFaultDriver } from "../faults/registry.js";
import { kebabCase, renderExperimentSkeleton } from "./init.js";

const TARGET = { operator: "llamastack", component: "llamastack-controller-manager", namespace: "opendatahub" };

describe("init skeletons", () => {
  it.each(INJECTION_TYPES.map((type) => [type]))("%s: valid, without a single warning", async (type) => {
    const text = await renderExperimentSkeleton(getFaultDriver(type), TARGET, { schemaReference: "schema.json" });
    const result = validateText(text, `${type}.yaml`);
    expect(allDiagnostics(result).map(formatDiagnostic)).toEqual([]);
    expect(result.documents[0]!.experiment?.spec.injection.type).toBe(type);
  });

  it("comments the file: schema line first, then every parameter", async () => {
    const text = await renderExperimentSkeleton(getFaultDriver("ConfigDrift"), TARGET, { schemaReference: "../schema/chaosexperiment.schema.json" });
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/chaosexperiment.schema.json");
    for (const name of ["name", "key", "value", "resourceType"]) {
      expect(text).toMatch(new RegExp(`# .*\\n\\s+${name}: `));
    }
    expect(parseDocument(text).errors).toEqual([]);
  });

  it("leaves allowedNamespaces out for cluster-scoped faults and asks for allowDangerous when needed", async () => {
    const webhook = validateText(await renderExperimentSkeleton(getFaultDriver("WebhookDisrupt"), TARGET), "w.yaml").documents[0]!.experiment!;
    expect(webhook.spec.blastRadius.allowedNamespaces).toBeUndefined();
    expect(webhook.spec.blastRadius.allowDangerous).toBe(true);
    const podKill = validateText(await renderExperimentSkeleton(getFaultDriver("PodKill"), TARGET), "p.yaml").documents[0]!.experiment!;
    expect(podKill.spec.blastRadius.allowedNamespaces).toEqual(["opendatahub"]);
    expect(podKill.metadata.name).toBe("llamastack-controller-manager-pod-kill");
  });

  it("names types in kebab case", () => {
    expect(INJECTION_TYPES.map(kebabCase)).toContain("crd-mutation");
    expect(["RBACRevoke", "PDBBlock", "OwnerRefOrphan", "DeploymentScaleZero"].map(kebabCase)).toEqual([
      "rbac-revoke",
      "pdb-block",
      "owner-ref-orphan",
      "deployment-scale-zero",
    ]);
  });
});

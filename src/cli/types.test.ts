import { describe, expect, it } from "vitest";
import { faultDrivers } from "../faults/registry.js";
import { describeFaultType, renderTypes } from "./types.js";

describe("types", () => {
  it("describes each type from its driver", () => {
    const described = faultDrivers().map(describeFaultType);
    expect(described.map((entry) => entry.type)).toHaveLength(20);
    expect(described.find((entry) => entry.type === "CRDMutation")).toMatchObject({
      scope: "namespaced",
      scopeNote: expect.stringContaining("cluster-scoped"),
      requiredParameters: ["apiVersion", "kind", "name", "value"],
      requiredOneOf: [["path", "field"]],
    });
    expect(described.filter((entry) => entry.persistence === "sustained").map((entry) => entry.type).sort()).toEqual(
      ["ClientFault", "FinalizerBlock", "NetworkPartition", "PDBBlock", "QuotaExhaustion", "RBACRevoke", "WebhookLatency"].sort(),
    );
  });

  it("renders text with the parameter-dependent scopes explained", () => {
    const text = renderTypes(faultDrivers(), "text");
    expect(text).toMatch(/^RBACRevoke +high +cluster\* +sustained +yes +bindingName, bindingType$/m);
    expect(text).toContain("* RBACRevoke: namespaced when bindingType is RoleBinding");
    expect(text).toMatch(/^QuotaExhaustion .* quotaName, one of cpu\|memory\|pods\|services\|configmaps\|secrets$/m);
  });
});

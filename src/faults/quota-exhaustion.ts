import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const QUOTA_RESOURCES = ["cpu", "memory", "pods", "services", "configmaps", "secrets"] as const;
/** Kubernetes resource quantity: a decimal number with an optional SI/binary suffix or exponent. */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** Creates a ResourceQuota so new objects in the namespace are refused. */
export const quotaExhaustion = defineFaultDriver({
  type: InjectionType.QuotaExhaustion,
  summary: "Creates a tight ResourceQuota so the API server refuses new pods or objects in the namespace.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "medium",
  defaultTier: 5,
  parameterDocs: [
    { name: "quotaName", required: true, description: "Name of the ResourceQuota to create (must not exist yet)." },
    ...QUOTA_RESOURCES.map((resource) => ({
      name: resource,
      required: false,
      description: `Hard limit for ${resource}, as a quantity (e.g. ${resource === "cpu" ? "100m" : resource === "memory" ? "64Mi" : "0"}).`,
    })),
  ],
  requiredOneOf: [QUOTA_RESOURCES],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.QuotaExhaustion, parameters, context);
    const quotaName = check.nonEmpty("quotaName", "the name of the ResourceQuota");
    if (quotaName !== undefined) check.targetName("quotaName", quotaName);
    const limits = QUOTA_RESOURCES.filter((resource) => (check.value(resource) ?? "") !== "");
    if (limits.length === 0) {
      check.report(QUOTA_RESOURCES[0], "parameter.required", "QuotaExhaustion needs at least one limit", {
        expected: `one or more of ${QUOTA_RESOURCES.join(", ")}`,
      });
    }
    for (const resource of limits) {
      const quantity = check.value(resource)!;
      if (!QUANTITY.test(quantity)) {
        // The Go tool only notices at injection time; a warning keeps its files valid.
        check.warn(resource, "parameter.quantity", `${JSON.stringify(quantity)} is not a resource quantity; the injection would fail`, {
          expected: "a quantity such as 0, 100m, 1.5, 64Mi",
          got: JSON.stringify(quantity),
        });
      }
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ quotaName: objectNameFrom(component, "-quota"), pods: "0" }),
});

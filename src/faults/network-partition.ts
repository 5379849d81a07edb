import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { labelValueFrom } from "./skeleton-values.js";

/** Cuts the selected pods off the network with a deny-all NetworkPolicy until reverted. */
export const networkPartition = defineFaultDriver({
  type: InjectionType.NetworkPartition,
  summary: "Isolates pods matching a label selector with a deny-all (ingress and egress) NetworkPolicy.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "medium",
  defaultTier: 2,
  parameterDocs: [
    {
      name: "labelSelector",
      required: true,
      description: "Selects the pods to isolate, e.g. app=my-operator. Must have at least one requirement.",
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.NetworkPartition, parameters, context);
    const requirements = check.labelSelector("labelSelector");
    // A NetworkPolicy podSelector has no "greater than"/"less than"; such requirements cannot be honoured.
    const numeric = requirements?.filter((requirement) => requirement.operator === ">" || requirement.operator === "<") ?? [];
    if (numeric.length > 0) {
      check.warn("labelSelector", "parameter.label-selector", "a NetworkPolicy cannot express > or < requirements; they would be ignored", {
        got: numeric.map((requirement) => `${requirement.key} ${requirement.operator} ${requirement.values[0]}`).join(", "),
      });
    }
    if (check.has("direction")) {
      check.warn("direction", "parameter.ignored", "direction is ignored: the partition always blocks both ingress and egress", {
        got: JSON.stringify(check.value("direction")),
      });
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ labelSelector: `app.kubernetes.io/name=${labelValueFrom(component)}` }),
});

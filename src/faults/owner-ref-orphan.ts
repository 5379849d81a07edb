import { API_GROUP, InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Removes every ownerReference of an object; the operator is expected to adopt it again. */
export const ownerRefOrphan = defineFaultDriver({
  type: InjectionType.OwnerRefOrphan,
  summary: "Clears an object's ownerReferences, orphaning it from its owner.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "medium",
  defaultTier: 3,
  parameterDocs: [
    { name: "apiVersion", required: true, description: "apiVersion of the object." },
    { name: "kind", required: true, description: "Kind of the object (not Namespace or Node)." },
    { name: "name", required: true, description: "Name of the object." },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.OwnerRefOrphan, parameters, context);
    const apiVersion = check.nonEmpty("apiVersion", "the object's apiVersion");
    const kind = check.nonEmpty("kind", "the object's kind");
    if (kind === "Namespace" || kind === "Node") {
      check.report("kind", "parameter.forbidden-kind", `${kind} objects cannot be targeted`);
    }
    if (kind === "ChaosExperiment" && (apiVersion === undefined || apiVersion.includes(API_GROUP))) {
      check.report("kind", "parameter.self-target", "operator-chaos's own ChaosExperiments cannot be targeted");
    }
    const name = check.nonEmpty("name", "the object's name");
    if (name !== undefined) check.targetName("name", name);
    return check.issues;
  },
  skeleton: ({ component }) => ({ apiVersion: "apps/v1", kind: "Deployment", name: objectNameFrom(component) }),
});

import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";

/** Deletes a whole namespace; only its labels and annotations can be restored. */
export const namespaceDeletion = defineFaultDriver({
  type: InjectionType.NamespaceDeletion,
  summary: "Deletes a namespace and everything in it; revert recreates only the empty namespace.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 5,
  parameterDocs: [{ name: "namespace", required: true, description: "The namespace to delete (never a system namespace)." }],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.NamespaceDeletion, parameters, context);
    const namespace = check.nonEmpty("namespace", "the namespace to delete");
    if (namespace !== undefined && check.targetNamespace("namespace", namespace) && !context.allowedNamespaces.includes(namespace)) {
      // The Go tool does not compare this parameter with the allowed list; a warning keeps its files valid.
      check.warn("namespace", "parameter.outside-blast-radius", "the namespace to delete is not in blastRadius.allowedNamespaces", {
        expected: `one of ${context.allowedNamespaces.length === 0 ? "(none listed)" : context.allowedNamespaces.join(", ")}`,
        got: JSON.stringify(namespace),
      });
    }
    check.requireHighDanger("NamespaceDeletion");
    return check.issues;
  },
  skeleton: ({ namespace }) => ({ namespace }),
});

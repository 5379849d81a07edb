import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { labelKeyProblem, labelValueProblem } from "./label-selector.js";
import { checker, isKubernetesName } from "./parameters.js";
import { labelValueFrom } from "./skeleton-values.js";

/**
 * Reads the `k=v[,k=v…]` form PDBBlock accepts: each part split at its first "=", both sides
 * non-empty. (So `a==b` reads as key a, value "=b", as in the Go tool.)
 */
export function parseEqualityPairs(selector: string): { ok: true; labels: Map<string, string> } | { ok: false; error: string } {
  const labels = new Map<string, string>();
  for (const rawPart of selector.split(",")) {
    const part = rawPart.trim();
    const equals = part.indexOf("=");
    if (equals <= 0 || equals === part.length - 1) {
      return { ok: false, error: `${JSON.stringify(part)} is not of the form key=value` };
    }
    labels.set(part.slice(0, equals), part.slice(equals + 1));
  }
  return { ok: true, labels };
}

/** Creates a PodDisruptionBudget with maxUnavailable 0, so evictions (drains, autoscaler) of the pods are refused. */
export const pdbBlock = defineFaultDriver({
  type: InjectionType.PDBBlock,
  summary: "Creates a PodDisruptionBudget with maxUnavailable: 0 over the selected pods, blocking evictions.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "high",
  defaultTier: 3,
  parameterDocs: [
    { name: "labelSelector", required: true, description: "Pods covered, as key=value pairs separated by commas (no other operators)." },
    { name: "name", required: false, description: "Name of the PodDisruptionBudget; chaos-pdb-<value of the first key> when absent." },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.PDBBlock, parameters, context);
    const selector = check.nonEmpty("labelSelector", "key=value pairs such as app=my-operator");
    let labels: Map<string, string> | undefined;
    if (selector !== undefined) {
      const parsed = parseEqualityPairs(selector);
      if (!parsed.ok) {
        check.report("labelSelector", "parameter.label-selector", `invalid labelSelector: ${parsed.error}`, {
          expected: "key=value pairs separated by commas",
          got: JSON.stringify(selector),
        });
      } else {
        labels = parsed.labels;
        for (const [key, value] of labels) {
          const problem = labelKeyProblem(key) ?? labelValueProblem(value);
          if (problem !== undefined) {
            // The Go tool accepts these and the API server then refuses the PodDisruptionBudget.
            check.warn("labelSelector", "parameter.label-selector", `${problem}; the injection would fail`, { got: JSON.stringify(selector) });
          }
        }
      }
    }
    const name = check.value("name");
    if (name !== undefined) {
      check.kubernetesName("name", name);
    } else if (labels !== undefined) {
      const firstKey = [...labels.keys()].sort()[0]!;
      const derived = `chaos-pdb-${labels.get(firstKey)}`;
      if (!isKubernetesName(derived)) {
        check.warn("labelSelector", "parameter.derived-name", `the default PodDisruptionBudget name ${JSON.stringify(derived)} is not a valid name; set name`, {
          expected: "a name parameter",
        });
      }
    }
    check.requireHighDanger("PDBBlock");
    return check.issues;
  },
  skeleton: ({ component }) => ({ labelSelector: `app.kubernetes.io/name=${labelValueFrom(component)}` }),
});

import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { labelKeyProblem, labelValueProblem } from "./label-selector.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const ACTIONS = ["overwrite", "delete"] as const;
const DEFAULT_NEW_VALUE = "chaos-stomped";
/** Keys operator-chaos uses to find its own objects; stomping them would hide a fault from `clean`. */
const RESERVED_LABEL_KEY = "app.kubernetes.io/managed-by";
const RESERVED_LABEL_PREFIX = "chaos.operatorchaos.io/";
/** Label keys under Kubernetes-owned prefixes are read by controllers beyond the operator under test. */
const SYSTEM_LABEL_MARKERS = ["kubernetes.io/", "k8s.io/"];

/** Overwrites or deletes one label of an object; the operator is expected to put it back. */
export const labelStomping = defineFaultDriver({
  type: InjectionType.LabelStomping,
  summary: "Overwrites or deletes one label of an object, breaking selectors and label-based watches.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "medium",
  defaultTier: 3,
  parameterDocs: [
    { name: "apiVersion", required: true, description: "apiVersion of the object." },
    { name: "kind", required: true, description: "Kind of the object." },
    { name: "name", required: true, description: "Name of the object." },
    { name: "labelKey", required: true, description: "The label to change. Keys containing kubernetes.io/ or k8s.io/ need dangerLevel: high." },
    { name: "action", required: true, description: "overwrite or delete.", values: ACTIONS },
    { name: "newValue", required: false, description: "The value written by overwrite.", default: DEFAULT_NEW_VALUE },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.LabelStomping, parameters, context);
    check.nonEmpty("apiVersion", "the object's apiVersion");
    check.nonEmpty("kind", "the object's kind");
    const name = check.nonEmpty("name", "the object's name");
    if (name !== undefined) check.targetName("name", name);
    const labelKey = check.nonEmpty("labelKey", "a label key such as app.kubernetes.io/name");
    if (labelKey !== undefined) {
      const problem = labelKeyProblem(labelKey);
      if (problem !== undefined) {
        check.report("labelKey", "parameter.label-key", problem, { got: JSON.stringify(labelKey) });
      } else if (labelKey === RESERVED_LABEL_KEY || labelKey.startsWith(RESERVED_LABEL_PREFIX)) {
        check.report("labelKey", "parameter.reserved-label", `operator-chaos relies on ${JSON.stringify(labelKey)} and it cannot be stomped`);
      } else if (SYSTEM_LABEL_MARKERS.some((marker) => labelKey.includes(marker))) {
        check.requireHighDanger(`LabelStomping of the Kubernetes-owned label ${JSON.stringify(labelKey)}`);
      }
    }
    const action = check.present("action", `one of ${ACTIONS.join(", ")}`);
    if (action !== undefined) check.oneOf("action", action, ACTIONS);
    const newValue = check.value("newValue");
    if (action === "overwrite" && newValue !== undefined) {
      const problem = labelValueProblem(newValue);
      if (problem !== undefined) check.report("newValue", "parameter.label-value", problem, { got: JSON.stringify(newValue) });
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: objectNameFrom(component),
    labelKey: "app",
    action: "overwrite",
    newValue: DEFAULT_NEW_VALUE,
  }),
});

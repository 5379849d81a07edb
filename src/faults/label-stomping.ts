import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault } from "./driver.js";
import { labelKeyProblem, labelValueProblem } from "./label-selector.js";
import { findNamespacedObject, guardedMergePatch, objectPermissions, ttlOf } from "./object-target.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const ACTIONS = ["overwrite", "delete"] as const;
const DEFAULT_NEW_VALUE = "chaos-stomped";
/** Keys operator-chaos uses to find its own objects; stomping them would hide a fault from `clean`. */
const RESERVED_LABEL_KEY = "app.kubernetes.io/managed-by";
const RESERVED_LABEL_PREFIX = "chaos.operatorchaos.io/";
/** Label keys under Kubernetes-owned prefixes are read by controllers beyond the operator under test. */
const SYSTEM_LABEL_MARKERS = ["kubernetes.io/", "k8s.io/"];

export const labelStompingSpec = defineFaultSpec({
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

/**
 * Overwrites or deletes one label of an object; the operator is expected to put it back. Unlike the
 * Go tool, nothing is written on the target but the label itself: the original is journaled apart
 * (no rollback annotation, no managed-by label over the operator's own), and the revert puts it
 * back only while the object still carries the injected value (the operator's repair is kept).
 */
export const labelStomping = defineRunnableFault<LabelStompingData, LabelStompingData>(labelStompingSpec, {
  permissions: (parameters, namespace) => objectPermissions(parameters.apiVersion ?? "", parameters.kind ?? "", namespace, ["get", "list", "watch", "patch"]),

  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const found = await findNamespacedObject(context.cluster, parameters.apiVersion ?? "", parameters.kind ?? "", parameters.name ?? "", context.namespace);
    const labelKey = parameters.labelKey ?? "";
    const labels = found.object.metadata.labels ?? {};
    const existed = labelKey in labels;
    const action = parameters.action === "delete" ? "delete" : "overwrite";
    if (action === "delete" && !existed) throw new Error(`${found.ref.kind} ${context.namespace}/${found.ref.name} has no label ${labelKey}: there is nothing to delete`);
    const injectedValue = action === "delete" ? null : parameters.newValue ?? DEFAULT_NEW_VALUE;
    if (existed && labels[labelKey] === injectedValue) {
      throw new Error(`the label ${labelKey} of ${found.ref.kind} ${context.namespace}/${found.ref.name} is already ${JSON.stringify(injectedValue)}: the fault would change nothing`);
    }
    const data: LabelStompingData = { path: found.path, labelKey, originalValue: existed ? labels[labelKey]! : null, injectedValue };
    return {
      type: InjectionType.LabelStomping,
      targets: [found.ref],
      summary: action === "delete"
        ? `delete the label ${labelKey} (${JSON.stringify(labels[labelKey])}) of ${found.ref.kind} ${context.namespace}/${found.ref.name}`
        : `set the label ${labelKey} of ${found.ref.kind} ${context.namespace}/${found.ref.name} to ${JSON.stringify(injectedValue)} (was ${existed ? JSON.stringify(labels[labelKey]) : "absent"})`,
      data,
    };
  },

  /** The operator's repair: the label has its original value again (only when it had one). */
  repairChecks(plan) {
    const target = plan.targets[0]!;
    if (plan.data.originalValue === null) return [];
    return [{
      type: "fieldEquals", apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace,
      fieldPath: `metadata.labels[${JSON.stringify(plan.data.labelKey)}]`, expectedValue: plan.data.originalValue,
    }];
  },

  async inject(context, plan) {
    const data = plan.data;
    const ttlMs = ttlOf(context);
    const record = await context.journal.write(InjectionType.LabelStomping, plan.targets[0]!, data, ttlMs ? { ttlMs } : {});
    const written = await guardedMergePatch(context.cluster, data.path, (object) => (object ? { metadata: { labels: { [data.labelKey]: data.injectedValue } } } : undefined));
    if (written) data.acceptedAt = new Date().toISOString();
    return [record];
  },

  /** Confirmed when the API server accepted the write (the operator may have repaired it already, which is the point). */
  async confirm(_context, plan) {
    return plan.data.acceptedAt !== undefined;
  },

  /** Puts the original back while the object still carries the injected value; idempotent. */
  async revert(context, record) {
    const data = record.data;
    await guardedMergePatch(context.cluster, data.path, (object) => {
      if (!object) return undefined;
      const current = object.metadata.labels?.[data.labelKey] ?? null;
      if (current !== data.injectedValue) return undefined; // repaired or changed since: not ours to overwrite
      return { metadata: { labels: { [data.labelKey]: data.originalValue } } };
    });
  },
});

/** The plan and the journal record: where the label is, what it was, and what the fault wrote (null: deleted). */
interface LabelStompingData {
  path: string;
  labelKey: string;
  originalValue: string | null;
  injectedValue: string | null;
  /** Set by inject once the API server accepted the change (not journaled). */
  acceptedAt?: string;
}

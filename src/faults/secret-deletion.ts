import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault } from "./driver.js";
import { confirmDeletion, goBackupLeftovers, injectDeletion, planDeletion, revertDeletion, type DeletionData, type DeletionRecord } from "./object-deletion.js";
import { objectPermissions } from "./object-target.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

export const secretDeletionSpec = defineFaultSpec({
  type: InjectionType.SecretDeletion,
  summary: "Deletes a Secret, keeping a backup so it can be restored if the operator does not recreate it.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 5,
  parameterDocs: [
    { name: "name", required: true, description: "Name of the Secret." },
    { name: "namespace", required: false, description: "Namespace of the Secret; defaults to the experiment's namespace." },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.SecretDeletion, parameters, context);
    const name = check.nonEmpty("name", "the Secret's name");
    if (name !== undefined && check.targetName("name", name) && check.notSystemCritical("name", name, "Secret")) {
      check.maxLength("name", "the backup Secret's name (chaos-backup-secret-<name>)", `chaos-backup-secret-${name}`, 253);
    }
    const namespace = check.value("namespace");
    if (namespace !== undefined && check.targetNamespace("namespace", namespace)) check.allowedNamespace("namespace", namespace);
    check.requireHighDanger("SecretDeletion");
    return check.issues;
  },
  skeleton: ({ component }) => ({ name: objectNameFrom(component, "-tls") }),
});

/**
 * Deletes a Secret; the operator is expected to recreate it, with the same content (consumers hold
 * its values). The backup is journaled in a Secret before the delete; the revert re-creates it only
 * if the operator did not.
 */
export const secretDeletion = defineRunnableFault<DeletionData, DeletionRecord>(secretDeletionSpec, {
  permissions: (parameters, namespace) => [
    ...objectPermissions("v1", "Secret", parameters.namespace || namespace, ["get", "list", "watch", "delete", "create"]),
    ...objectPermissions("v1", "Secret", namespace, ["create", "delete"]),
  ],
  plan: (context) => planDeletion(context, InjectionType.SecretDeletion, "v1", "Secret", context.experiment.spec.injection.parameters?.name ?? ""),
  /**
   * The operator's repair: the Secret exists again with every key's original value (a Secret
   * regenerated with new values breaks whoever holds the old ones). Values stay out of reports.
   */
  repairChecks: (plan) => {
    const target = plan.targets[0]!;
    const where = { apiVersion: "v1", kind: "Secret", name: target.name, namespace: target.namespace };
    const data = (plan.data.backup.data ?? {}) as Record<string, string>;
    return [
      { type: "resourceExists", ...where },
      ...Object.entries(data).map(([key, value]) => ({ type: "fieldEquals", ...where, fieldPath: `data[${JSON.stringify(key)}]`, expectedValue: value, redact: true })),
    ];
  },
  inject: (context, plan) => injectDeletion(context, InjectionType.SecretDeletion, plan),
  confirm: confirmDeletion,
  revert: revertDeletion,
  /** The Go tool's backup Secrets chaos-backup-secret-<name> (data key secret-backup). */
  leftovers: (context, namespace) => goBackupLeftovers(context, namespace, InjectionType.SecretDeletion, "secret-backup"),
});

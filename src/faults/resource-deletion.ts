import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault } from "./driver.js";
import { confirmDeletion, goBackupLeftovers, injectDeletion, planDeletion, revertDeletion, type DeletionData, type DeletionRecord } from "./object-deletion.js";
import { objectPermissions } from "./object-target.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Kinds ResourceDeletion refuses: deleting them affects the cluster, not one operator. */
const CLUSTER_KINDS = ["Namespace", "Node", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume"];
/** Objects whose deletion breaks the platform rather than the operator under test. */
const PROTECTED_SERVICES = ["kubernetes", "openshift-apiserver", "dns-default", "kube-dns"];
const PROTECTED_SERVICE_ACCOUNTS = ["default", "deployer", "builder", "pipeline"];

export const resourceDeletionSpec = defineFaultSpec({
  type: InjectionType.ResourceDeletion,
  summary: "Deletes one namespaced object (dependents are garbage-collected), keeping a backup for revert.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 5,
  parameterDocs: [
    { name: "apiVersion", required: true, description: "apiVersion of the object." },
    { name: "kind", required: true, description: "Kind of the object (namespaced kinds only)." },
    { name: "name", required: true, description: "Name of the object." },
    { name: "namespace", required: false, description: "Namespace of the object; defaults to the experiment's namespace." },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.ResourceDeletion, parameters, context);
    check.nonEmpty("apiVersion", "the object's apiVersion");
    const kind = check.nonEmpty("kind", "the object's kind");
    if (kind !== undefined && CLUSTER_KINDS.includes(kind)) {
      check.report("kind", "parameter.forbidden-kind", `${kind} is cluster-scoped and cannot be deleted by ResourceDeletion`, {
        expected: "a namespaced kind",
      });
    }
    const name = check.nonEmpty("name", "the object's name");
    if (name !== undefined && check.targetName("name", name)) {
      if (kind === "Secret") check.notSystemCritical("name", name, "Secret");
      if (kind === "Service" && PROTECTED_SERVICES.includes(name)) {
        check.report("name", "parameter.system-critical", `the Service ${JSON.stringify(name)} is part of the platform and cannot be deleted`);
      }
      if (kind === "ServiceAccount" && PROTECTED_SERVICE_ACCOUNTS.includes(name)) {
        check.report("name", "parameter.system-critical", `the ServiceAccount ${JSON.stringify(name)} is created by the platform and cannot be deleted`);
      }
      if (kind !== undefined) {
        const backupName = `chaos-backup-resource-${kind.toLowerCase()}-${name}`;
        check.maxLength("name", "the backup Secret's name (chaos-backup-resource-<kind>-<name>)", backupName, 253);
      }
    }
    const namespace = check.value("namespace");
    if (namespace !== undefined && check.targetNamespace("namespace", namespace)) check.allowedNamespace("namespace", namespace);
    check.requireHighDanger("ResourceDeletion");
    return check.issues;
  },
  skeleton: ({ component }) => ({ apiVersion: "v1", kind: "Service", name: objectNameFrom(component) }),
});

/**
 * Deletes any namespaced object; the operator is expected to recreate it. The backup is journaled
 * before the delete (a Secret's in a Secret); the revert re-creates it only if the operator did not,
 * without server-set fields and with owner references re-pointed at live owners.
 */
export const resourceDeletion = defineRunnableFault<DeletionData, DeletionRecord>(resourceDeletionSpec, {
  permissions: (parameters, namespace) => [
    ...objectPermissions(parameters.apiVersion ?? "", parameters.kind ?? "", parameters.namespace || namespace, ["get", "list", "watch", "delete", "create"]),
    // A deleted Secret's backup is journaled in a Secret.
    ...(parameters.kind === "Secret" ? objectPermissions("v1", "Secret", namespace, ["create", "delete"]) : []),
  ],
  plan: (context) => {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    return planDeletion(context, InjectionType.ResourceDeletion, parameters.apiVersion ?? "", parameters.kind ?? "", parameters.name ?? "");
  },
  /** The operator's repair: the object exists again. */
  repairChecks: (plan) => {
    const target = plan.targets[0]!;
    return [{ type: "resourceExists", apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace }];
  },
  inject: (context, plan) => injectDeletion(context, InjectionType.ResourceDeletion, plan),
  confirm: confirmDeletion,
  revert: revertDeletion,
  /** The Go tool's backup Secrets chaos-backup-resource-<kind>-<name> (data key resource-backup). */
  leftovers: (context, namespace) => goBackupLeftovers(context, namespace, InjectionType.ResourceDeletion, "resource-backup"),
});

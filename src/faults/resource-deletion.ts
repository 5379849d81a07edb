import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Kinds ResourceDeletion refuses: deleting them affects the cluster, not one operator. */
const CLUSTER_KINDS = ["Namespace", "Node", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume"];
/** Objects whose deletion breaks the platform rather than the operator under test. */
const PROTECTED_SERVICES = ["kubernetes", "openshift-apiserver", "dns-default", "kube-dns"];
const PROTECTED_SERVICE_ACCOUNTS = ["default", "deployer", "builder", "pipeline"];

/** Deletes any namespaced object (after backing it up); the operator is expected to recreate it. */
export const resourceDeletion = defineFaultDriver({
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
    if (namespace !== undefined) check.targetNamespace("namespace", namespace);
    check.requireHighDanger("ResourceDeletion");
    return check.issues;
  },
  skeleton: ({ component }) => ({ apiVersion: "v1", kind: "Service", name: objectNameFrom(component) }),
});

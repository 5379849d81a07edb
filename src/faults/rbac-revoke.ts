import { Duration } from "../experiment/duration.js";
import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver, type FaultParameters, type FaultRuntimeContext, type ObjectReference } from "./driver.js";
import { checker } from "./parameters.js";
import { clusterOf, journalOf } from "./runtime.js";
import { objectNameFrom } from "./skeleton-values.js";
import type { KubeRest } from "../kube/rest.js";
// Cluster and journal helpers are imported inside the runtime methods: validation (which loads every
// driver) must not load HTTP or the Kubernetes client (see src/experiment/purity.test.ts).

const BINDING_TYPES = ["ClusterRoleBinding", "RoleBinding"] as const;

/** Bindings the cluster itself depends on; revoking them would break the control plane, not the operator. */
export const SYSTEM_CRITICAL_BINDINGS = [
  "cluster-admin",
  "system:node",
  "system:kube-controller-manager",
  "system:kube-scheduler",
  "system:volume-scheduler",
  "system:kube-dns",
  "system:discovery",
  "system:basic-user",
  "system:public-info-viewer",
] as const;

/** Empties the subjects of a (Cluster)RoleBinding so the operator's ServiceAccount loses its rights. */
export const rbacRevoke = defineFaultDriver({
  type: InjectionType.RBACRevoke,
  summary: "Removes every subject from a ClusterRoleBinding or RoleBinding, so the operator gets 403s.",
  scope: "cluster",
  scopeNote: "namespaced when bindingType is RoleBinding",
  scopeFor: (parameters) => (parameters["bindingType"] === "RoleBinding" ? "namespaced" : "cluster"),
  persistence: "sustained",
  defaultDangerLevel: "high",
  defaultTier: 4,
  parameterDocs: [
    { name: "bindingName", required: true, description: "Name of the binding whose subjects are removed." },
    {
      name: "bindingType",
      required: true,
      description: "ClusterRoleBinding (cluster-scoped: dangerLevel high, no allowedNamespaces) or RoleBinding.",
      values: BINDING_TYPES,
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.RBACRevoke, parameters, context);
    const bindingType = check.present("bindingType", `one of ${BINDING_TYPES.join(", ")}`);
    if (bindingType !== undefined) check.oneOf("bindingType", bindingType, BINDING_TYPES);
    const bindingName = check.present("bindingName", "the name of the binding");
    if (bindingName !== undefined) {
      if (bindingType === "ClusterRoleBinding" && (SYSTEM_CRITICAL_BINDINGS as readonly string[]).includes(bindingName)) {
        check.report("bindingName", "parameter.system-critical", `${JSON.stringify(bindingName)} is a system-critical binding and cannot be revoked`);
      } else if (bindingName.startsWith("system:")) {
        check.report("bindingName", "parameter.system-critical", 'bindings named "system:…" belong to Kubernetes and cannot be revoked', {
          got: JSON.stringify(bindingName),
        });
      } else if (check.resourceName("bindingName", bindingName)) {
        check.notReserved("bindingName", bindingName);
      }
    }
    return check.issues;
  },
  skeleton: ({ component }) => ({ bindingName: objectNameFrom(component, "-rolebinding"), bindingType: "ClusterRoleBinding" }),
});

// Building blocks for parameter validation shared by the fault drivers: the reserved names and
// protected objects, and a small checker that records issues with paths relative to spec.injection.

import { issue, type Issue, type Severity } from "../experiment/diagnostic.js";
import { closestMatch } from "../experiment/suggest.js";
import type { FaultParameters, FaultValidationContext } from "./driver.js";
import { parseLabelSelector, type SelectorRequirement } from "./label-selector.js";

/** Objects operator-chaos creates for itself; a fault must never target them. */
export const RESERVED_NAME_PREFIXES = [
  "chaos-rollback-",
  "chaos-result-",
  "operator-chaos-",
  "chaos-controller-",
  "chaos-backup-",
] as const;

export const SYSTEM_CRITICAL_CONFIGMAPS = [
  "kube-root-ca.crt",
  "coredns",
  "kube-proxy",
  "cluster-info",
  "extension-apiserver-authentication",
  "kubeadm-config",
  "kubelet-config",
  "kube-apiserver",
  "scheduler-config",
] as const;

export const SYSTEM_CRITICAL_SECRETS = ["etcd-client", "apiserver-etcd-client", "service-account-key", "oauth-serving-cert"] as const;

/** Name prefixes of control-plane configuration, protected for both ConfigMaps and Secrets. */
export const SYSTEM_CRITICAL_NAME_PREFIXES = ["etcd-", "kube-apiserver-", "openshift-service-ca"] as const;

/** Namespaces a `namespace` parameter may never name. */
export const PROTECTED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "operator-chaos-system"] as const;
export const PROTECTED_NAMESPACE_PREFIXES = ["openshift-", "chaos-"] as const;

/** Kinds that live outside namespaces (the Go tool's list, Kueue kinds included). */
export const CLUSTER_SCOPED_KINDS = [
  "Namespace",
  "Node",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "IngressClass",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
  "Kueue",
  "ClusterQueue",
  "ResourceFlavor",
  "WorkloadPriorityClass",
  "Cohort",
  "AdmissionCheck",
  "MultiKueueCluster",
  "MultiKueueConfig",
  "ProvisioningRequestConfig",
  "Topology",
] as const;

const CLUSTER_SCOPED_GROUP_PREFIXES = ["apiextensions.k8s.io/", "apiregistration.k8s.io/"];

/** Whether an object of this apiVersion/kind is cluster-scoped (by group or by kind). */
export function isClusterScopedObject(apiVersion: string | undefined, kind: string | undefined): boolean {
  if (apiVersion !== undefined && CLUSTER_SCOPED_GROUP_PREFIXES.some((prefix) => apiVersion.startsWith(prefix))) return true;
  return kind !== undefined && (CLUSTER_SCOPED_KINDS as readonly string[]).includes(kind);
}

/** Free-form values (ConfigDrift value, CRDMutation value) are capped at 64 KiB. */
export const MAX_PARAMETER_VALUE_BYTES = 65536;

const KUBERNETES_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const KUBERNETES_RESOURCE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;
const NAME_RULE = "a lowercase RFC 1123 name: letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters";
const RESOURCE_NAME_RULE = "a name of letters (any case), digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters";

export function isKubernetesName(value: string): boolean {
  return value.length > 0 && value.length <= 253 && KUBERNETES_NAME.test(value);
}

const quote = (value: string): string => JSON.stringify(value);

/** Records issues for one fault's parameters; every method returns whether the check passed. */
export class ParameterChecker {
  readonly issues: Issue[] = [];

  constructor(
    readonly faultType: string,
    readonly parameters: FaultParameters,
    readonly context: FaultValidationContext,
  ) {}

  value(name: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.parameters, name) ? this.parameters[name] : undefined;
  }

  has(name: string): boolean {
    return this.value(name) !== undefined;
  }

  report(
    name: string | undefined,
    code: string,
    message: string,
    extra: { expected?: string; got?: string; severity?: Severity } = {},
  ): false {
    this.issues.push(issue(name === undefined ? ["parameters"] : ["parameters", name], code, message, extra));
    return false;
  }

  /** The parameter must be present (it may be empty). Returns its value. */
  present(name: string, expected: string): string | undefined {
    const value = this.value(name);
    if (value === undefined) {
      // The path names the missing parameter; its position falls back to the `parameters` key.
      this.report(name, "parameter.required", `${this.faultType} needs the parameter ${quote(name)}`, { expected });
    }
    return value;
  }

  /** The parameter must be present and not empty. Returns its value when it is. */
  nonEmpty(name: string, expected: string): string | undefined {
    const value = this.present(name, expected);
    if (value === "") {
      this.report(name, "parameter.empty", `${quote(name)} must not be empty`, { expected });
      return undefined;
    }
    return value;
  }

  kubernetesName(name: string, value: string): boolean {
    if (isKubernetesName(value)) return true;
    return this.report(name, "parameter.name-format", `${quote(value)} is not a valid object name`, {
      expected: NAME_RULE,
      got: quote(value),
    });
  }

  /** Like kubernetesName but allowing upper case (binding and webhook names, e.g. OLM-generated ones). */
  resourceName(name: string, value: string): boolean {
    if (value.length > 0 && value.length <= 253 && KUBERNETES_RESOURCE_NAME.test(value)) return true;
    return this.report(name, "parameter.name-format", `${quote(value)} is not a valid object name`, {
      expected: RESOURCE_NAME_RULE,
      got: quote(value),
    });
  }

  notReserved(name: string, value: string): boolean {
    const prefix = RESERVED_NAME_PREFIXES.find((candidate) => value.startsWith(candidate));
    if (prefix === undefined) return true;
    return this.report(
      name,
      "parameter.reserved-name",
      `objects named ${quote(prefix + "…")} belong to operator-chaos itself and cannot be targeted`,
      { got: quote(value) },
    );
  }

  /** A valid, non-reserved object name (the common case for `name` parameters). */
  targetName(name: string, value: string): boolean {
    return this.kubernetesName(name, value) && this.notReserved(name, value);
  }

  notSystemCritical(name: string, value: string, kind: "ConfigMap" | "Secret"): boolean {
    const list: readonly string[] = kind === "ConfigMap" ? SYSTEM_CRITICAL_CONFIGMAPS : SYSTEM_CRITICAL_SECRETS;
    if (list.includes(value)) {
      return this.report(name, "parameter.system-critical", `${quote(value)} is a system-critical ${kind} and cannot be targeted`);
    }
    const prefix = SYSTEM_CRITICAL_NAME_PREFIXES.find((candidate) => value.startsWith(candidate));
    if (prefix !== undefined) {
      return this.report(
        name,
        "parameter.system-critical",
        `${kind}s whose names start with ${quote(prefix)} hold control-plane configuration and cannot be targeted`,
        { got: quote(value) },
      );
    }
    return true;
  }

  /** A `namespace` parameter: a valid name outside the protected namespaces. */
  targetNamespace(name: string, value: string): boolean {
    if (!this.kubernetesName(name, value)) return false;
    const protectedPrefix = PROTECTED_NAMESPACE_PREFIXES.find((prefix) => value.startsWith(prefix));
    if ((PROTECTED_NAMESPACES as readonly string[]).includes(value) || protectedPrefix !== undefined) {
      return this.report(name, "parameter.protected-namespace", `namespace ${quote(value)} is protected and cannot be targeted`, {
        expected: `a namespace other than ${PROTECTED_NAMESPACES.join(", ")} and not starting with ${PROTECTED_NAMESPACE_PREFIXES.join(" or ")}`,
        got: quote(value),
      });
    }
    return true;
  }

  oneOf(name: string, value: string, allowed: readonly string[]): boolean {
    if (allowed.includes(value)) return true;
    const suggestion = closestMatch(value, allowed);
    return this.report(
      name,
      "parameter.enum",
      `${quote(value)} is not a valid ${name}${suggestion === undefined ? "" : `; did you mean ${quote(suggestion)}?`}`,
      { expected: `one of ${allowed.join(", ")}`, got: quote(value) },
    );
  }

  maxBytes(name: string, value: string, limit: number): boolean {
    const size = Buffer.byteLength(value, "utf8");
    if (size <= limit) return true;
    return this.report(name, "parameter.too-long", `${quote(name)} is too long`, {
      expected: `at most ${limit} bytes`,
      got: `${size} bytes`,
    });
  }

  maxLength(name: string, what: string, value: string, limit: number): boolean {
    if (value.length <= limit) return true;
    return this.report(name, "parameter.too-long", `${what} would be ${value.length} characters long`, {
      expected: `at most ${limit} characters`,
      got: quote(value.length > 80 ? `${value.slice(0, 77)}...` : value),
    });
  }

  /** A label selector with at least one requirement (an empty one would select every pod). */
  labelSelector(name: string): readonly SelectorRequirement[] | undefined {
    const value = this.nonEmpty(name, "a label selector such as app=my-operator");
    if (value === undefined) return undefined;
    const parsed = parseLabelSelector(value);
    if (!parsed.ok) {
      this.report(name, "parameter.label-selector", `invalid label selector: ${parsed.error}`, { got: quote(value) });
      return undefined;
    }
    if (parsed.requirements.length === 0) {
      this.report(name, "parameter.label-selector", "the label selector has no requirement and would match every pod", {
        expected: "at least one requirement, e.g. app=my-operator",
        got: quote(value),
      });
      return undefined;
    }
    return parsed.requirements;
  }

  /** A namespace parameter must be one of blastRadius.allowedNamespaces (the Go tool checked only a deny-list). */
  allowedNamespace(name: string, value: string): boolean {
    if (this.context.allowedNamespaces.includes(value)) return true;
    return this.report(name, "parameter.namespace-not-allowed", `namespace ${quote(value)} is not in blastRadius.allowedNamespaces`, {
      expected: this.context.allowedNamespaces.length > 0 ? `one of ${this.context.allowedNamespaces.join(", ")}` : "a namespace listed in blastRadius.allowedNamespaces",
      got: quote(value),
    });
  }

  /** The fault needs `dangerLevel: high`; `reason` completes "… requires dangerLevel: high". */
  requireHighDanger(reason: string): boolean {
    if (this.context.dangerLevel === "high") return true;
    this.issues.push(
      issue(["dangerLevel"], "danger.requires-high", `${reason} requires dangerLevel: high`, {
        expected: "high",
        got: this.context.dangerLevel === undefined ? "nothing" : quote(this.context.dangerLevel),
      }),
    );
    return false;
  }

  warn(name: string | undefined, code: string, message: string, extra: { expected?: string; got?: string } = {}): void {
    this.report(name, code, message, { ...extra, severity: "warning" });
  }
}

export function checker(faultType: string, parameters: FaultParameters, context: FaultValidationContext): ParameterChecker {
  return new ParameterChecker(faultType, parameters, context);
}

// One failing document per parameter rule of every fault type: each case asserts the rule's code,
// message, severity and the line:column it is reported at.

import { describe, expect, it } from "vitest";
import type { SourcePosition } from "../experiment/diagnostic.js";
import { formatDiagnostic } from "../experiment/diagnostic.js";
import { INJECTION_TYPES, type InjectionType } from "../experiment/enums.js";
import { experimentText, positionIn, type ExperimentTextOptions } from "../experiment/testing.js";
import { allDiagnostics, validateText } from "../experiment/validate.js";
import { faultDrivers, getFaultDriver } from "./registry.js";

const TARGET = { operator: "test-operator", component: "test-component", namespace: "test-ns" };

/** A valid document for `type` (its skeleton), with some parameters replaced (undefined removes one). */
function documentFor(type: InjectionType, overrides: Record<string, string | undefined> = {}, options: Partial<ExperimentTextOptions> = {}): string {
  const driver = getFaultDriver(type);
  const parameters: Record<string, string | undefined> = { ...driver.skeleton(TARGET), ...overrides };
  const defined = Object.fromEntries(Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const cluster = driver.scopeFor(defined) === "cluster";
  return experimentText({
    type,
    parameters,
    dangerLevel: driver.defaultDangerLevel,
    ...(driver.defaultDangerLevel === "high" ? { allowDangerous: true } : {}),
    allowedNamespaces: cluster ? null : ["test-ns"],
    ...options,
  });
}

type Locate = (text: string) => SourcePosition;
/** The value of a parameter (written at indentation 6), of an injection field (4), or a key's start. */
const valueOf = (name: string): Locate => (text) => positionIn(text, `\n      ${name}: `, "after");
const injectionValue = (name: string): Locate => (text) => positionIn(text, `\n    ${name}: `, "after");
const keyOf = (name: string): Locate => (text) => positionIn(text, `${name}:`);

interface RuleCase {
  readonly rule: string;
  readonly type: InjectionType;
  readonly parameters?: Record<string, string | undefined>;
  readonly options?: Partial<ExperimentTextOptions>;
  readonly code: string;
  readonly path: string;
  readonly message: string;
  readonly at: Locate;
  readonly severity?: "error" | "warning";
}

const p = (name: string): string => `spec.injection.parameters.${name}`;
const DANGER = "spec.injection.dangerLevel";
const notHigh = { dangerLevel: "medium" } as const;

const CASES: readonly RuleCase[] = [
  // PodKill
  { rule: "labelSelector is required", type: "PodKill", parameters: { labelSelector: undefined }, code: "parameter.required", path: p("labelSelector"), message: 'PodKill needs the parameter "labelSelector"', at: keyOf("parameters") },
  { rule: "labelSelector must not be empty", type: "PodKill", parameters: { labelSelector: "" }, code: "parameter.empty", path: p("labelSelector"), message: '"labelSelector" must not be empty', at: valueOf("labelSelector") },
  { rule: "labelSelector must parse", type: "PodKill", parameters: { labelSelector: "app in (a" }, code: "parameter.label-selector", path: p("labelSelector"), message: "invalid label selector", at: valueOf("labelSelector") },
  { rule: "labelSelector keys must be valid", type: "PodKill", parameters: { labelSelector: "-bad=x" }, code: "parameter.label-selector", path: p("labelSelector"), message: 'the name part of label key "-bad"', at: valueOf("labelSelector") },
  { rule: "count within maxPodsAffected", type: "PodKill", options: { count: 3, maxPodsAffected: 2 }, code: "blast-radius.count", path: "spec.injection.count", message: "PodKill would kill 3 pods", at: injectionValue("count") },
  // NetworkPartition
  { rule: "labelSelector is required", type: "NetworkPartition", parameters: { labelSelector: undefined }, code: "parameter.required", path: p("labelSelector"), message: 'NetworkPartition needs the parameter "labelSelector"', at: keyOf("parameters") },
  { rule: "labelSelector must parse", type: "NetworkPartition", parameters: { labelSelector: "=x" }, code: "parameter.label-selector", path: p("labelSelector"), message: "expected a label key", at: valueOf("labelSelector") },
  { rule: "numeric requirements cannot be expressed", type: "NetworkPartition", parameters: { labelSelector: "app=x,rank>3" }, code: "parameter.label-selector", path: p("labelSelector"), message: "cannot express > or <", at: valueOf("labelSelector"), severity: "warning" },
  { rule: "direction is ignored", type: "NetworkPartition", parameters: { direction: "ingress" }, code: "parameter.ignored", path: p("direction"), message: "direction is ignored", at: valueOf("direction"), severity: "warning" },
  // CRDMutation
  { rule: "apiVersion is required", type: "CRDMutation", parameters: { apiVersion: undefined }, code: "parameter.required", path: p("apiVersion"), message: '"apiVersion"', at: keyOf("parameters") },
  { rule: "kind must not be empty", type: "CRDMutation", parameters: { kind: "" }, code: "parameter.empty", path: p("kind"), message: '"kind" must not be empty', at: valueOf("kind") },
  { rule: "ChaosExperiments cannot be mutated", type: "CRDMutation", parameters: { apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment" }, code: "parameter.self-target", path: p("kind"), message: "own ChaosExperiments", at: valueOf("kind") },
  { rule: "name must be a valid object name", type: "CRDMutation", parameters: { name: "Bad_Name" }, code: "parameter.name-format", path: p("name"), message: '"Bad_Name" is not a valid object name', at: valueOf("name") },
  { rule: "name must not be reserved", type: "CRDMutation", parameters: { name: "chaos-result-x" }, code: "parameter.reserved-name", path: p("name"), message: "belong to operator-chaos itself", at: valueOf("name") },
  { rule: "path and field are exclusive", type: "CRDMutation", parameters: { field: "logLevel" }, code: "parameter.exclusive", path: p("path"), message: "either path or field", at: valueOf("path") },
  { rule: "path or field is required", type: "CRDMutation", parameters: { path: undefined }, code: "parameter.required", path: p("path"), message: 'needs the parameter "path"', at: keyOf("parameters") },
  { rule: "field must be a field name", type: "CRDMutation", parameters: { path: undefined, field: "1bad" }, code: "parameter.path", path: p("field"), message: "not a valid field name", at: valueOf("field") },
  { rule: "path segments must be field names", type: "CRDMutation", parameters: { path: "spec..x" }, code: "parameter.path", path: p("path"), message: "not a valid dot path", at: valueOf("path") },
  { rule: "path length is limited", type: "CRDMutation", parameters: { path: `spec.${"a".repeat(260)}` }, code: "parameter.path", path: p("path"), message: "path is too long", at: valueOf("path") },
  { rule: "identity paths are protected", type: "CRDMutation", parameters: { path: "metadata.name" }, code: "parameter.protected-path", path: p("path"), message: "identifies the object", at: valueOf("path") },
  { rule: "value is required", type: "CRDMutation", parameters: { value: undefined }, code: "parameter.required", path: p("value"), message: '"value"', at: keyOf("parameters") },
  { rule: "value is at most 64 KiB", type: "CRDMutation", parameters: { value: "x".repeat(65537) }, code: "parameter.too-long", path: p("value"), message: '"value" is too long', at: valueOf("value") },
  { rule: "object values need high", type: "CRDMutation", parameters: { value: '{"a":1}' }, code: "danger.requires-high", path: DANGER, message: "JSON object value", at: injectionValue("dangerLevel") },
  { rule: "null values need high", type: "CRDMutation", parameters: { value: "null" }, code: "danger.requires-high", path: DANGER, message: "value null", at: injectionValue("dangerLevel") },
  { rule: "sensitive fields need high", type: "CRDMutation", parameters: { path: "spec.replicas" }, code: "danger.requires-high", path: DANGER, message: 'CRDMutation of "replicas"', at: injectionValue("dangerLevel") },
  { rule: "built-in objects need high", type: "CRDMutation", parameters: { apiVersion: "apps/v1", kind: "Deployment" }, code: "danger.requires-high", path: DANGER, message: "built-in apps/v1 object", at: injectionValue("dangerLevel") },
  { rule: "namespace is ignored", type: "CRDMutation", parameters: { namespace: "other" }, code: "parameter.ignored", path: p("namespace"), message: "namespace is ignored", at: valueOf("namespace"), severity: "warning" },
  // ConfigDrift
  { rule: "resourceType is ConfigMap or Secret", type: "ConfigDrift", parameters: { resourceType: "Configmap" }, code: "parameter.enum", path: p("resourceType"), message: 'did you mean "ConfigMap"?', at: valueOf("resourceType") },
  { rule: "name is required", type: "ConfigDrift", parameters: { name: undefined }, code: "parameter.required", path: p("name"), message: '"name"', at: keyOf("parameters") },
  { rule: "system-critical ConfigMaps are protected", type: "ConfigDrift", parameters: { name: "coredns" }, code: "parameter.system-critical", path: p("name"), message: '"coredns" is a system-critical ConfigMap', at: valueOf("name") },
  { rule: "control-plane name prefixes are protected", type: "ConfigDrift", parameters: { name: "etcd-config" }, code: "parameter.system-critical", path: p("name"), message: 'start with "etcd-"', at: valueOf("name") },
  { rule: "system-critical Secrets are protected", type: "ConfigDrift", parameters: { name: "etcd-client", resourceType: "Secret" }, options: { dangerLevel: "high", allowDangerous: true }, code: "parameter.system-critical", path: p("name"), message: '"etcd-client" is a system-critical Secret', at: valueOf("name") },
  { rule: "key is required", type: "ConfigDrift", parameters: { key: undefined }, code: "parameter.required", path: p("key"), message: '"key"', at: keyOf("parameters") },
  { rule: "Secret keys have no / or ..", type: "ConfigDrift", parameters: { resourceType: "Secret", key: "a/b" }, options: { dangerLevel: "high", allowDangerous: true }, code: "parameter.secret-key", path: p("key"), message: 'must not contain "/"', at: valueOf("key") },
  { rule: "rollback Secret name fits 253 characters", type: "ConfigDrift", parameters: { resourceType: "Secret", name: "n".repeat(230), key: "k".repeat(20) }, options: { dangerLevel: "high", allowDangerous: true }, code: "parameter.too-long", path: p("key"), message: "rollback Secret's name", at: valueOf("key") },
  { rule: "value is required", type: "ConfigDrift", parameters: { value: undefined }, code: "parameter.required", path: p("value"), message: '"value"', at: keyOf("parameters") },
  { rule: "value is at most 64 KiB", type: "ConfigDrift", parameters: { value: "é".repeat(33000) }, code: "parameter.too-long", path: p("value"), message: '"value" is too long', at: valueOf("value") },
  { rule: "Secrets need high", type: "ConfigDrift", parameters: { resourceType: "Secret" }, code: "danger.requires-high", path: DANGER, message: "ConfigDrift on a Secret requires dangerLevel: high", at: injectionValue("dangerLevel") },
  { rule: "namespace is ignored", type: "ConfigDrift", parameters: { namespace: "x" }, code: "parameter.ignored", path: p("namespace"), message: "namespace is ignored", at: valueOf("namespace"), severity: "warning" },
  // WebhookDisrupt
  { rule: "name and selector are exclusive", type: "WebhookDisrupt", parameters: { webhookLabelSelector: "app=x" }, code: "parameter.exclusive", path: p("webhookLabelSelector"), message: "either webhookName or webhookLabelSelector", at: valueOf("webhookLabelSelector") },
  { rule: "name or selector is required", type: "WebhookDisrupt", parameters: { webhookName: undefined }, code: "parameter.required", path: p("webhookName"), message: '"webhookName"', at: keyOf("parameters") },
  { rule: "cluster-wide webhooks are protected", type: "WebhookDisrupt", parameters: { webhookName: "cert-manager-webhook" }, code: "parameter.protected-webhook", path: p("webhookName"), message: "protects the whole cluster", at: valueOf("webhookName") },
  { rule: "platform webhook prefixes are protected", type: "WebhookDisrupt", parameters: { webhookName: "openshift-x" }, code: "parameter.protected-webhook", path: p("webhookName"), message: "protects the whole cluster", at: valueOf("webhookName") },
  { rule: "webhookName must be a valid name", type: "WebhookDisrupt", parameters: { webhookName: "bad name" }, code: "parameter.name-format", path: p("webhookName"), message: "not a valid object name", at: valueOf("webhookName") },
  { rule: "webhookLabelSelector must parse", type: "WebhookDisrupt", parameters: { webhookName: undefined, webhookLabelSelector: "a b" }, code: "parameter.label-selector", path: p("webhookLabelSelector"), message: "invalid label selector", at: valueOf("webhookLabelSelector") },
  { rule: "action is required", type: "WebhookDisrupt", parameters: { action: undefined }, code: "parameter.required", path: p("action"), message: '"action"', at: keyOf("parameters") },
  { rule: "action is setFailurePolicy", type: "WebhookDisrupt", parameters: { action: "setFailurepolicy" }, code: "parameter.enum", path: p("action"), message: 'did you mean "setFailurePolicy"?', at: valueOf("action") },
  { rule: "webhookType is validating or mutating", type: "WebhookDisrupt", parameters: { webhookType: "admission" }, code: "parameter.enum", path: p("webhookType"), message: "not a valid webhookType", at: valueOf("webhookType") },
  { rule: "value is a failurePolicy", type: "WebhookDisrupt", parameters: { value: "Block" }, code: "parameter.enum", path: p("value"), message: "not a failurePolicy", at: valueOf("value"), severity: "warning" },
  // RBACRevoke
  { rule: "bindingType is required", type: "RBACRevoke", parameters: { bindingType: undefined }, options: { allowedNamespaces: ["test-ns"] }, code: "parameter.required", path: p("bindingType"), message: '"bindingType"', at: keyOf("parameters") },
  { rule: "bindingType is ClusterRoleBinding or RoleBinding", type: "RBACRevoke", parameters: { bindingType: "Binding" }, code: "parameter.enum", path: p("bindingType"), message: "not a valid bindingType", at: valueOf("bindingType") },
  { rule: "bindingName is required", type: "RBACRevoke", parameters: { bindingName: undefined }, code: "parameter.required", path: p("bindingName"), message: '"bindingName"', at: keyOf("parameters") },
  { rule: "system-critical bindings are protected", type: "RBACRevoke", parameters: { bindingName: "cluster-admin" }, code: "parameter.system-critical", path: p("bindingName"), message: "system-critical binding", at: valueOf("bindingName") },
  { rule: "system: bindings are protected", type: "RBACRevoke", parameters: { bindingName: "system:monitoring" }, code: "parameter.system-critical", path: p("bindingName"), message: 'bindings named "system:…"', at: valueOf("bindingName") },
  { rule: "bindingName must be a valid name", type: "RBACRevoke", parameters: { bindingName: "a/b" }, code: "parameter.name-format", path: p("bindingName"), message: "not a valid object name", at: valueOf("bindingName") },
  { rule: "bindingName must not be reserved", type: "RBACRevoke", parameters: { bindingName: "operator-chaos-x" }, code: "parameter.reserved-name", path: p("bindingName"), message: "belong to operator-chaos itself", at: valueOf("bindingName") },
  // FinalizerBlock
  { rule: "kind is required", type: "FinalizerBlock", parameters: { kind: undefined }, code: "parameter.required", path: p("kind"), message: '"kind"', at: keyOf("parameters") },
  { rule: "Namespace and Node are forbidden", type: "FinalizerBlock", parameters: { apiVersion: "v1", kind: "Node" }, code: "parameter.forbidden-kind", path: p("kind"), message: "Node cannot be targeted", at: valueOf("kind") },
  { rule: "ChaosExperiments are protected", type: "FinalizerBlock", parameters: { apiVersion: undefined, kind: "ChaosExperiment" }, code: "parameter.self-target", path: p("kind"), message: "own ChaosExperiments", at: valueOf("kind") },
  { rule: "name must be a valid name", type: "FinalizerBlock", parameters: { name: "UPPER" }, code: "parameter.name-format", path: p("name"), message: "not a valid object name", at: valueOf("name") },
  { rule: "finalizerName must not be the controller's", type: "FinalizerBlock", parameters: { finalizerName: "chaos.operatorchaos.io/cleanup" }, code: "parameter.reserved-finalizer", path: p("finalizerName"), message: "belongs to operator-chaos's controller", at: valueOf("finalizerName") },
  { rule: "finalizerName is never used", type: "FinalizerBlock", parameters: { finalizerName: "example.com/x" }, code: "parameter.ignored", path: p("finalizerName"), message: "finalizerName is never used", at: valueOf("finalizerName"), severity: "warning" },
  { rule: "finalizer should not be the controller's", type: "FinalizerBlock", parameters: { finalizer: "chaos.operatorchaos.io/cleanup" }, code: "parameter.reserved-finalizer", path: p("finalizer"), message: "belongs to operator-chaos's controller", at: valueOf("finalizer"), severity: "warning" },
  { rule: "finalizer should be a qualified name", type: "FinalizerBlock", parameters: { finalizer: "bad finalizer" }, code: "parameter.finalizer-format", path: p("finalizer"), message: "will reject this finalizer", at: valueOf("finalizer"), severity: "warning" },
  { rule: "core objects need high", type: "FinalizerBlock", parameters: { apiVersion: "v1", kind: "Secret" }, code: "danger.requires-high", path: DANGER, message: "FinalizerBlock on a core Secret", at: injectionValue("dangerLevel") },
  // ClientFault
  { rule: "faults is required", type: "ClientFault", parameters: { faults: undefined }, code: "parameter.required", path: p("faults"), message: '"faults"', at: keyOf("parameters") },
  { rule: "faults must be JSON", type: "ClientFault", parameters: { faults: "{get:" }, code: "parameter.client-faults", path: p("faults"), message: "not valid JSON", at: valueOf("faults") },
  { rule: "faults must be an object", type: "ClientFault", parameters: { faults: "[1]" }, code: "parameter.client-faults", path: p("faults"), message: "must be a JSON object keyed by operation", at: valueOf("faults") },
  { rule: "faults must name an operation", type: "ClientFault", parameters: { faults: "{}" }, code: "parameter.client-faults", path: p("faults"), message: "at least one operation", at: valueOf("faults") },
  { rule: "operations are the SDK's", type: "ClientFault", parameters: { faults: '{"evict":{"errorRate":0.5}}' }, code: "parameter.client-faults", path: p("faults"), message: '"evict" is not an operation', at: valueOf("faults") },
  { rule: "watch is operator-chaos/sdk's, not the Go tool's", type: "ClientFault", parameters: { faults: '{"watch":{"errorRate":0.5}}' }, code: "parameter.client-faults", path: p("faults"), message: '"watch" is not an operation of the Go tool', at: valueOf("faults"), severity: "warning" },
  { rule: "a fault spec is an object", type: "ClientFault", parameters: { faults: '{"get":1}' }, code: "parameter.client-faults", path: p("faults"), message: "faults.get must be a JSON object", at: valueOf("faults") },
  { rule: "errorRate is within 0..1", type: "ClientFault", parameters: { faults: '{"get":{"errorRate":1.5}}' }, code: "parameter.client-faults", path: p("faults"), message: "errorRate must be a number from 0 to 1", at: valueOf("faults") },
  { rule: "error is a string", type: "ClientFault", parameters: { faults: '{"get":{"errorRate":0.1,"error":5}}' }, code: "parameter.client-faults", path: p("faults"), message: "faults.get.error must be a string", at: valueOf("faults") },
  { rule: "delay is a duration (string or nanoseconds)", type: "ClientFault", parameters: { faults: '{"get":{"delay":true}}' }, code: "parameter.client-faults", path: p("faults"), message: "delay must be a duration", at: valueOf("faults") },
  { rule: "delay in nanoseconds is not for the Go validator", type: "ClientFault", parameters: { faults: '{"get":{"delay":500}}' }, code: "parameter.client-faults", path: p("faults"), message: "delay in nanoseconds", at: valueOf("faults"), severity: "warning" },
  { rule: "delay parses", type: "ClientFault", parameters: { faults: '{"get":{"delay":"5 seconds"}}' }, code: "parameter.client-faults", path: p("faults"), message: "delay is not a valid duration", at: valueOf("faults") },
  { rule: "delay is at most 5m", type: "ClientFault", parameters: { faults: '{"list":{"maxDelay":"6m"}}' }, code: "parameter.client-faults", path: p("faults"), message: "maxDelay is too long", at: valueOf("faults") },
  { rule: "unknown fault settings are ignored", type: "ClientFault", parameters: { faults: '{"get":{"errorRate":0.1,"rate":1}}' }, code: "parameter.client-faults", path: p("faults"), message: "faults.get.rate is not a fault setting", at: valueOf("faults"), severity: "warning" },
  { rule: "configMapName must be a valid name", type: "ClientFault", parameters: { configMapName: "Bad" }, code: "parameter.name-format", path: p("configMapName"), message: "not a valid object name", at: valueOf("configMapName") },
  { rule: "configMapName starts with operator-chaos-", type: "ClientFault", parameters: { configMapName: "my-config" }, code: "parameter.config-map-prefix", path: p("configMapName"), message: "start with operator-chaos-", at: valueOf("configMapName") },
  // OwnerRefOrphan
  { rule: "apiVersion is required", type: "OwnerRefOrphan", parameters: { apiVersion: undefined }, code: "parameter.required", path: p("apiVersion"), message: '"apiVersion"', at: keyOf("parameters") },
  { rule: "Namespace and Node are forbidden", type: "OwnerRefOrphan", parameters: { apiVersion: "v1", kind: "Namespace" }, code: "parameter.forbidden-kind", path: p("kind"), message: "Namespace objects cannot be targeted", at: valueOf("kind") },
  { rule: "ChaosExperiments are protected", type: "OwnerRefOrphan", parameters: { apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment" }, code: "parameter.self-target", path: p("kind"), message: "own ChaosExperiments", at: valueOf("kind") },
  { rule: "name must not be reserved", type: "OwnerRefOrphan", parameters: { name: "chaos-backup-x" }, code: "parameter.reserved-name", path: p("name"), message: "belong to operator-chaos itself", at: valueOf("name") },
  // QuotaExhaustion
  { rule: "quotaName is required", type: "QuotaExhaustion", parameters: { quotaName: undefined }, code: "parameter.required", path: p("quotaName"), message: '"quotaName"', at: keyOf("parameters") },
  { rule: "quotaName must be a valid name", type: "QuotaExhaustion", parameters: { quotaName: "Quota" }, code: "parameter.name-format", path: p("quotaName"), message: "not a valid object name", at: valueOf("quotaName") },
  { rule: "at least one limit", type: "QuotaExhaustion", parameters: { pods: undefined }, code: "parameter.required", path: p("cpu"), message: "needs at least one limit", at: keyOf("parameters") },
  { rule: "limits are quantities", type: "QuotaExhaustion", parameters: { pods: "ten" }, code: "parameter.quantity", path: p("pods"), message: "not a resource quantity", at: valueOf("pods") },
  // WebhookLatency
  { rule: "resources is required", type: "WebhookLatency", parameters: { resources: undefined }, code: "parameter.required", path: p("resources"), message: '"resources"', at: keyOf("parameters") },
  { rule: "apiGroups must not be empty", type: "WebhookLatency", parameters: { apiGroups: "" }, code: "parameter.empty", path: p("apiGroups"), message: '"apiGroups" must not be empty', at: valueOf("apiGroups") },
  { rule: "list items are not trimmed", type: "WebhookLatency", parameters: { resources: "deployments, services" }, code: "parameter.list-spaces", path: p("resources"), message: "items are not trimmed", at: valueOf("resources"), severity: "warning" },
  { rule: "delay parses", type: "WebhookLatency", parameters: { delay: "25" }, code: "parameter.duration", path: p("delay"), message: "missing unit", at: valueOf("delay") },
  { rule: "delay stays under 30s", type: "WebhookLatency", parameters: { delay: "30s" }, code: "parameter.duration", path: p("delay"), message: "30s webhook timeout", at: valueOf("delay") },
  { rule: "needs high", type: "WebhookLatency", options: notHigh, code: "danger.requires-high", path: DANGER, message: "WebhookLatency (its webhook slows", at: injectionValue("dangerLevel") },
  // NamespaceDeletion
  { rule: "namespace is required", type: "NamespaceDeletion", parameters: { namespace: undefined }, code: "parameter.required", path: p("namespace"), message: '"namespace"', at: keyOf("parameters") },
  { rule: "system namespaces are protected", type: "NamespaceDeletion", parameters: { namespace: "kube-system" }, code: "parameter.protected-namespace", path: p("namespace"), message: 'namespace "kube-system" is protected', at: valueOf("namespace") },
  { rule: "platform namespace prefixes are protected", type: "NamespaceDeletion", parameters: { namespace: "chaos-lab" }, code: "parameter.protected-namespace", path: p("namespace"), message: 'namespace "chaos-lab" is protected', at: valueOf("namespace") },
  { rule: "namespace should be in allowedNamespaces", type: "NamespaceDeletion", parameters: { namespace: "elsewhere" }, code: "parameter.outside-blast-radius", path: p("namespace"), message: "not in blastRadius.allowedNamespaces", at: valueOf("namespace"), severity: "warning" },
  { rule: "needs high", type: "NamespaceDeletion", options: notHigh, code: "danger.requires-high", path: DANGER, message: "NamespaceDeletion requires dangerLevel: high", at: injectionValue("dangerLevel") },
  // LabelStomping
  { rule: "apiVersion is required", type: "LabelStomping", parameters: { apiVersion: undefined }, code: "parameter.required", path: p("apiVersion"), message: '"apiVersion"', at: keyOf("parameters") },
  { rule: "kind is required", type: "LabelStomping", parameters: { kind: undefined }, code: "parameter.required", path: p("kind"), message: '"kind"', at: keyOf("parameters") },
  { rule: "name must be a valid name", type: "LabelStomping", parameters: { name: "x_y" }, code: "parameter.name-format", path: p("name"), message: "not a valid object name", at: valueOf("name") },
  { rule: "labelKey must be a label key", type: "LabelStomping", parameters: { labelKey: "a/b/c" }, code: "parameter.label-key", path: p("labelKey"), message: "prefix of label key", at: valueOf("labelKey") },
  { rule: "managed-by is reserved", type: "LabelStomping", parameters: { labelKey: "app.kubernetes.io/managed-by" }, code: "parameter.reserved-label", path: p("labelKey"), message: "operator-chaos relies on", at: valueOf("labelKey") },
  { rule: "chaos labels are reserved", type: "LabelStomping", parameters: { labelKey: "chaos.operatorchaos.io/type" }, code: "parameter.reserved-label", path: p("labelKey"), message: "operator-chaos relies on", at: valueOf("labelKey") },
  { rule: "Kubernetes-owned labels need high", type: "LabelStomping", parameters: { labelKey: "app.kubernetes.io/name" }, code: "danger.requires-high", path: DANGER, message: "Kubernetes-owned label", at: injectionValue("dangerLevel") },
  { rule: "action is required", type: "LabelStomping", parameters: { action: undefined }, code: "parameter.required", path: p("action"), message: '"action"', at: keyOf("parameters") },
  { rule: "action is overwrite or delete", type: "LabelStomping", parameters: { action: "remove" }, code: "parameter.enum", path: p("action"), message: "not a valid action", at: valueOf("action") },
  { rule: "newValue is a label value", type: "LabelStomping", parameters: { newValue: "not valid!" }, code: "parameter.label-value", path: p("newValue"), message: "label value", at: valueOf("newValue") },
  // SecretDeletion
  { rule: "name is required", type: "SecretDeletion", parameters: { name: undefined }, code: "parameter.required", path: p("name"), message: '"name"', at: keyOf("parameters") },
  { rule: "system-critical Secrets are protected", type: "SecretDeletion", parameters: { name: "service-account-key" }, code: "parameter.system-critical", path: p("name"), message: "system-critical Secret", at: valueOf("name") },
  { rule: "backup name fits 253 characters", type: "SecretDeletion", parameters: { name: "s".repeat(240) }, code: "parameter.too-long", path: p("name"), message: "backup Secret's name", at: valueOf("name") },
  { rule: "namespace is not protected", type: "SecretDeletion", parameters: { namespace: "kube-public" }, code: "parameter.protected-namespace", path: p("namespace"), message: "is protected", at: valueOf("namespace") },
  { rule: "needs high", type: "SecretDeletion", options: notHigh, code: "danger.requires-high", path: DANGER, message: "SecretDeletion requires", at: injectionValue("dangerLevel") },
  // DeploymentScaleZero
  { rule: "name is required", type: "DeploymentScaleZero", parameters: { name: undefined }, code: "parameter.required", path: p("name"), message: '"name"', at: keyOf("parameters") },
  { rule: "needs high", type: "DeploymentScaleZero", options: notHigh, code: "danger.requires-high", path: DANGER, message: "DeploymentScaleZero requires", at: injectionValue("dangerLevel") },
  // LeaderElectionDisrupt
  { rule: "name must be a valid name", type: "LeaderElectionDisrupt", parameters: { name: "-lease" }, code: "parameter.name-format", path: p("name"), message: "not a valid object name", at: valueOf("name") },
  { rule: "backup name fits 253 characters", type: "LeaderElectionDisrupt", parameters: { name: "l".repeat(240) }, code: "parameter.too-long", path: p("name"), message: "backup ConfigMap's name", at: valueOf("name") },
  { rule: "needs high", type: "LeaderElectionDisrupt", options: notHigh, code: "danger.requires-high", path: DANGER, message: "LeaderElectionDisrupt requires", at: injectionValue("dangerLevel") },
  // CrashLoopInject
  { rule: "name must not be reserved", type: "CrashLoopInject", parameters: { name: "chaos-controller-manager" }, code: "parameter.reserved-name", path: p("name"), message: "belong to operator-chaos itself", at: valueOf("name") },
  { rule: "containerName must be a valid name", type: "CrashLoopInject", parameters: { containerName: "Main" }, code: "parameter.name-format", path: p("containerName"), message: "not a valid object name", at: valueOf("containerName") },
  { rule: "needs high", type: "CrashLoopInject", options: notHigh, code: "danger.requires-high", path: DANGER, message: "CrashLoopInject requires", at: injectionValue("dangerLevel") },
  // ImageCorrupt
  { rule: "name is required", type: "ImageCorrupt", parameters: { name: undefined }, code: "parameter.required", path: p("name"), message: '"name"', at: keyOf("parameters") },
  { rule: "containerName should be a valid name", type: "ImageCorrupt", parameters: { containerName: "Main" }, code: "parameter.name-format", path: p("containerName"), message: "no container can have this name", at: valueOf("containerName"), severity: "warning" },
  { rule: "image should not be empty", type: "ImageCorrupt", parameters: { image: "" }, code: "parameter.empty", path: p("image"), message: "an empty image is rejected", at: valueOf("image"), severity: "warning" },
  { rule: "needs high", type: "ImageCorrupt", options: notHigh, code: "danger.requires-high", path: DANGER, message: "ImageCorrupt requires", at: injectionValue("dangerLevel") },
  // ResourceDeletion
  { rule: "apiVersion is required", type: "ResourceDeletion", parameters: { apiVersion: undefined }, code: "parameter.required", path: p("apiVersion"), message: '"apiVersion"', at: keyOf("parameters") },
  { rule: "cluster-scoped kinds are refused", type: "ResourceDeletion", parameters: { kind: "ClusterRole" }, code: "parameter.forbidden-kind", path: p("kind"), message: "ClusterRole is cluster-scoped", at: valueOf("kind") },
  { rule: "platform Services are protected", type: "ResourceDeletion", parameters: { name: "kubernetes" }, code: "parameter.system-critical", path: p("name"), message: 'the Service "kubernetes"', at: valueOf("name") },
  { rule: "platform ServiceAccounts are protected", type: "ResourceDeletion", parameters: { kind: "ServiceAccount", name: "default" }, code: "parameter.system-critical", path: p("name"), message: 'the ServiceAccount "default"', at: valueOf("name") },
  { rule: "system-critical Secrets are protected", type: "ResourceDeletion", parameters: { kind: "Secret", name: "oauth-serving-cert" }, code: "parameter.system-critical", path: p("name"), message: "system-critical Secret", at: valueOf("name") },
  { rule: "backup name fits 253 characters", type: "ResourceDeletion", parameters: { name: "r".repeat(240) }, code: "parameter.too-long", path: p("name"), message: "backup Secret's name", at: valueOf("name") },
  { rule: "namespace is not protected", type: "ResourceDeletion", parameters: { namespace: "openshift-config" }, code: "parameter.protected-namespace", path: p("namespace"), message: "is protected", at: valueOf("namespace") },
  { rule: "needs high", type: "ResourceDeletion", options: notHigh, code: "danger.requires-high", path: DANGER, message: "ResourceDeletion requires", at: injectionValue("dangerLevel") },
  // PDBBlock
  { rule: "labelSelector is required", type: "PDBBlock", parameters: { labelSelector: undefined }, code: "parameter.required", path: p("labelSelector"), message: '"labelSelector"', at: keyOf("parameters") },
  { rule: "labelSelector is key=value pairs", type: "PDBBlock", parameters: { labelSelector: "app" }, code: "parameter.label-selector", path: p("labelSelector"), message: "is not of the form key=value", at: valueOf("labelSelector") },
  { rule: "pairs should be valid labels", type: "PDBBlock", parameters: { labelSelector: "app==x", name: "pdb" }, code: "parameter.label-selector", path: p("labelSelector"), message: "the injection would fail", at: valueOf("labelSelector"), severity: "warning" },
  { rule: "name must be a valid name", type: "PDBBlock", parameters: { name: "PDB" }, code: "parameter.name-format", path: p("name"), message: "not a valid object name", at: valueOf("name") },
  { rule: "the derived name should be valid", type: "PDBBlock", parameters: { labelSelector: "app=My_App" }, code: "parameter.derived-name", path: p("labelSelector"), message: "default PodDisruptionBudget name", at: valueOf("labelSelector"), severity: "warning" },
  { rule: "needs high", type: "PDBBlock", options: notHigh, code: "danger.requires-high", path: DANGER, message: "PDBBlock requires", at: injectionValue("dangerLevel") },
  // Every type
  { rule: "unknown parameters are ignored, with a suggestion", type: "PodKill", parameters: { labelSelecter: "app=x" }, code: "parameter.unknown", path: p("labelSelecter"), message: 'did you mean "labelSelector"?', at: keyOf("labelSelecter"), severity: "warning" },
];

describe("fault parameter rules", () => {
  it.each(INJECTION_TYPES.map((type) => [type]))("a %s document built from its skeleton has no diagnostic", (type) => {
    const result = validateText(documentFor(type), "base.yaml");
    expect(allDiagnostics(result).map(formatDiagnostic)).toEqual([]);
    expect(result.status).toBe("valid");
  });

  it("covers every fault type", () => {
    const covered = new Set(CASES.map((rule) => rule.type));
    expect(INJECTION_TYPES.filter((type) => !covered.has(type))).toEqual([]);
  });

  it.each(CASES.map((rule) => [`${rule.type}: ${rule.rule}`, rule] as const))("%s", (_name, rule) => {
    const text = documentFor(rule.type, rule.parameters, rule.options);
    const result = validateText(text, "rule.yaml");
    const diagnostics = allDiagnostics(result);
    const found = diagnostics.find((diagnostic) => diagnostic.code === rule.code && diagnostic.path === rule.path);
    expect(found, `no ${rule.code} at ${rule.path} among:\n${diagnostics.map(formatDiagnostic).join("\n")}`).toBeDefined();
    expect(found!.message).toContain(rule.message);
    expect({ line: found!.line, column: found!.column }).toEqual(rule.at(text));
    expect(found!.severity).toBe(rule.severity ?? "error");
    expect(result.status).toBe((rule.severity ?? "error") === "error" ? "invalid" : "valid");
  });
});

describe("fault registry", () => {
  it("has one driver per injection type, in the Go tool's order", () => {
    expect(faultDrivers().map((driver) => driver.type)).toEqual([...INJECTION_TYPES]);
  });

  it("documents every required parameter", () => {
    for (const driver of faultDrivers()) {
      const documented = driver.parameterDocs.map((doc) => doc.name);
      expect(driver.requiredParameters.every((name) => documented.includes(name))).toBe(true);
      for (const group of driver.requiredOneOf ?? []) expect(group.every((name) => documented.includes(name))).toBe(true);
    }
  });

  it("gives RBACRevoke the scope of its binding type", () => {
    const driver = getFaultDriver("RBACRevoke");
    expect(driver.scopeFor({ bindingType: "ClusterRoleBinding", bindingName: "x" })).toBe("cluster");
    expect(driver.scopeFor({ bindingType: "RoleBinding", bindingName: "x" })).toBe("namespaced");
  });

  it("makes CRDMutation and FinalizerBlock cluster-scoped for cluster-scoped objects", () => {
    for (const type of ["CRDMutation", "FinalizerBlock"] as const) {
      const driver = getFaultDriver(type);
      expect(driver.scopeFor({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" })).toBe("cluster");
      expect(driver.scopeFor({ apiVersion: "kueue.x-k8s.io/v1beta1", kind: "ClusterQueue" })).toBe("cluster");
      expect(driver.scopeFor({ apiVersion: "example.com/v1", kind: "Widget" })).toBe("namespaced");
    }
  });
});

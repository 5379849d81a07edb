// One crash scenario per runnable fault type: what to set up in a fresh namespace, the experiment,
// and what "the cluster is as before" means for it. test/reliability/crash.test.ts fails when a
// runnable fault type has no scenario here.
import type { KubeRest } from "../../src/kube/rest.js";
import { waitForCollection } from "../../src/kube/watcher.js";
import { isPodKey, kwokDeployment, podsBack } from "./support.js";

export interface Scenario {
  /** Test title; unique. */
  readonly title: string;
  readonly faultType: string;
  /** Also compare every cluster-scoped object (the fault touches a cluster-scoped object). */
  readonly clusterScoped: boolean;
  /** Creates what the experiment needs in `namespace` and waits until it is settled. */
  setup(rest: KubeRest, namespace: string): Promise<void>;
  /** Removes cluster-scoped objects setup created (namespaced ones go with the namespace). */
  teardown?(rest: KubeRest, namespace: string): Promise<void>;
  experiment(namespace: string, name: string): object;
  /** Dump keys that legitimately differ after the experiment (e.g. pods a Deployment replaced). */
  ignore?(key: string): boolean;
  /** Waits until what the fault changed on purpose has settled again (e.g. the pod count is back). */
  settled?(rest: KubeRest, namespace: string): Promise<void>;
  /** Whether OPERATOR_CHAOS_TEST_BREAK_REVERT can show here (the fault has something to restore). */
  readonly revertRestoresSomething: boolean;
}

const RBAC = "/apis/rbac.authorization.k8s.io/v1";

function experiment(namespace: string, name: string, spec: { checks: object[]; injection: { type: string; dangerLevel?: string; [field: string]: unknown }; recoveryTimeout?: string; clusterScoped?: boolean; maxPods?: number }) {
  return {
    apiVersion: "chaos.operatorchaos.io/v1alpha1",
    kind: "ChaosExperiment",
    metadata: { name, namespace },
    spec: {
      target: { operator: "web", component: "web" },
      steadyState: { checks: spec.checks },
      injection: spec.injection,
      hypothesis: { description: "the operator puts everything back", recoveryTimeout: spec.recoveryTimeout ?? "3s" },
      blastRadius: {
        maxPodsAffected: spec.maxPods ?? 1,
        // A cluster-scoped fault must not list allowedNamespaces; the run acts in metadata.namespace.
        ...(spec.clusterScoped ? {} : { allowedNamespaces: [namespace] }),
        ...(spec.injection.dangerLevel === "high" ? { allowDangerous: true } : {}),
      },
    },
  };
}

const deploymentAvailable = (namespace: string) => ({ type: "conditionTrue", apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace, conditionType: "Available" });

/**
 * PodKill has nothing to revert: the Deployment replaces the killed pod under a new name. Its
 * "equal to before" is every object but the pods (Deployment, ReplicaSet, ConfigMaps … field by
 * field), plus the pod count back to what it was, every pod Running.
 */
const podKill: Scenario = {
  title: "PodKill",
  faultType: "PodKill",
  clusterScoped: false,
  revertRestoresSomething: false,
  setup: (rest, namespace) => kwokDeployment(rest, namespace, "web", 2),
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [deploymentAvailable(namespace)], recoveryTimeout: "30s",
    injection: { type: "PodKill", parameters: { labelSelector: "app=web" }, count: 1 },
  }),
  ignore: isPodKey,
  settled: (rest, namespace) => podsBack(rest, namespace, "app=web", 2),
};

const networkPartition: Scenario = {
  title: "NetworkPartition",
  faultType: "NetworkPartition",
  clusterScoped: false,
  revertRestoresSomething: true,
  setup: (rest, namespace) => kwokDeployment(rest, namespace, "web", 1),
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [deploymentAvailable(namespace)], recoveryTimeout: "20s",
    injection: { type: "NetworkPartition", parameters: { labelSelector: "app=web" }, ttl: "300s" },
  }),
};

async function webConfigMap(rest: KubeRest, namespace: string): Promise<void> {
  await rest.create(`/api/v1/namespaces/${namespace}/configmaps`, {
    apiVersion: "v1", kind: "ConfigMap",
    metadata: { name: "web-config", labels: { "app.kubernetes.io/managed-by": "web-operator", tier: "config" }, annotations: { owner: "team-a" } },
    data: { "config.yaml": "good", other: "kept" },
  });
}

const configDrift: Scenario = {
  title: "ConfigDrift",
  faultType: "ConfigDrift",
  clusterScoped: false,
  revertRestoresSomething: true,
  setup: webConfigMap,
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace }], recoveryTimeout: "1s",
    injection: { type: "ConfigDrift", parameters: { name: "web-config", key: "config.yaml", value: "broken" }, ttl: "300s" },
  }),
};

/** A Secret's original value is journaled in a Secret (not in a ConfigMap or an annotation). */
const configDriftSecret: Scenario = {
  title: "ConfigDrift (Secret)",
  faultType: "ConfigDrift",
  clusterScoped: false,
  revertRestoresSomething: true,
  async setup(rest, namespace) {
    await rest.create(`/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: "v1", kind: "Secret", type: "Opaque",
      metadata: { name: "web-secret", labels: { tier: "secret" }, annotations: { owner: "team-a" } },
      data: { token: Buffer.from("s3cret").toString("base64"), other: Buffer.from("kept").toString("base64") },
    });
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [{ type: "resourceExists", apiVersion: "v1", kind: "Secret", name: "web-secret", namespace }], recoveryTimeout: "1s",
    injection: { type: "ConfigDrift", parameters: { name: "web-secret", key: "token", value: "stolen", resourceType: "Secret" }, dangerLevel: "high", ttl: "300s" },
  }),
};

const roleBinding: Scenario = {
  title: "RBACRevoke (RoleBinding)",
  faultType: "RBACRevoke",
  clusterScoped: false,
  revertRestoresSomething: true,
  async setup(rest, namespace) {
    await rest.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "web" } });
    await rest.create(`${RBAC}/namespaces/${namespace}/roles`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "web" },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
    });
    await rest.create(`${RBAC}/namespaces/${namespace}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
      metadata: { name: "web", labels: { "app.kubernetes.io/managed-by": "web-operator" }, annotations: { owner: "team-a" } },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "web" },
      subjects: [{ kind: "ServiceAccount", name: "web", namespace }, { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" }],
    });
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [{ type: "resourceExists", apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", name: "web", namespace }], recoveryTimeout: "20s",
    injection: { type: "RBACRevoke", parameters: { bindingName: "web", bindingType: "RoleBinding" }, dangerLevel: "high", ttl: "300s" },
  }),
};

const crbName = (namespace: string) => `reliability-${namespace}`;

/** The cluster-scoped variant: every cluster-scoped object is compared too. */
const clusterRoleBinding: Scenario = {
  title: "RBACRevoke (ClusterRoleBinding)",
  faultType: "RBACRevoke",
  clusterScoped: true,
  revertRestoresSomething: true,
  async setup(rest, namespace) {
    await rest.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "web" } });
    await rest.create(`${RBAC}/clusterroles`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: crbName(namespace) },
      rules: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get"] }],
    });
    await rest.create(`${RBAC}/clusterrolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding",
      metadata: { name: crbName(namespace), labels: { "app.kubernetes.io/managed-by": "web-operator" }, annotations: { owner: "team-a" } },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: crbName(namespace) },
      subjects: [{ kind: "ServiceAccount", name: "web", namespace }],
    });
  },
  async teardown(rest, namespace) {
    for (const path of [`${RBAC}/clusterrolebindings/${crbName(namespace)}`, `${RBAC}/clusterroles/${crbName(namespace)}`]) {
      await rest.delete(path).catch(() => {});
    }
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [{ type: "resourceExists", apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", name: crbName(namespace) }], recoveryTimeout: "20s",
    injection: { type: "RBACRevoke", parameters: { bindingName: crbName(namespace), bindingType: "ClusterRoleBinding" }, dangerLevel: "high", ttl: "300s" },
    clusterScoped: true,
  }),
};

const webConfigCheck = (namespace: string) => ({ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace });

/** A label of the ConfigMap is overwritten; no operator puts it back, the revert does. */
const labelStomping: Scenario = {
  title: "LabelStomping",
  faultType: "LabelStomping",
  clusterScoped: false,
  revertRestoresSomething: true,
  setup: webConfigMap,
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [webConfigCheck(namespace)], recoveryTimeout: "1s",
    injection: { type: "LabelStomping", parameters: { apiVersion: "v1", kind: "ConfigMap", name: "web-config", labelKey: "tier", action: "overwrite", newValue: "stomped" }, ttl: "300s" },
  }),
};

/** The ConfigMap is owned by another ConfigMap; the fault orphans it, the revert re-owns it (same owner UID). */
const ownerRefOrphan: Scenario = {
  title: "OwnerRefOrphan",
  faultType: "OwnerRefOrphan",
  clusterScoped: false,
  revertRestoresSomething: true,
  async setup(rest, namespace) {
    const owner = await rest.create<{ metadata: { uid: string } }>(`/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-owner" }, data: { role: "owner" },
    });
    await rest.create(`/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: "v1", kind: "ConfigMap",
      metadata: { name: "web-config", labels: { tier: "config" }, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "web-owner", uid: owner.metadata.uid, controller: true }] },
      data: { "config.yaml": "good" },
    });
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [webConfigCheck(namespace)], recoveryTimeout: "1s",
    injection: { type: "OwnerRefOrphan", parameters: { apiVersion: "v1", kind: "ConfigMap", name: "web-config" }, ttl: "300s" },
  }),
};

/** The ConfigMap is deleted; the revert re-creates it from the journaled backup. */
const resourceDeletion: Scenario = {
  title: "ResourceDeletion",
  faultType: "ResourceDeletion",
  clusterScoped: false,
  revertRestoresSomething: true,
  setup: webConfigMap,
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [webConfigCheck(namespace)], recoveryTimeout: "1s",
    injection: { type: "ResourceDeletion", parameters: { apiVersion: "v1", kind: "ConfigMap", name: "web-config" }, dangerLevel: "high", ttl: "300s" },
  }),
};

/** The ConfigMap's whole data object is replaced; the revert restores it exactly (keys the mutation dropped included). */
const crdMutation: Scenario = {
  title: "CRDMutation",
  faultType: "CRDMutation",
  clusterScoped: false,
  revertRestoresSomething: true,
  setup: webConfigMap,
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [webConfigCheck(namespace)], recoveryTimeout: "1s",
    injection: { type: "CRDMutation", parameters: { apiVersion: "v1", kind: "ConfigMap", name: "web-config", path: "data", value: '{"config.yaml":"mutated"}' }, dangerLevel: "high", ttl: "300s" },
  }),
};

/** A finalizer is added to the ConfigMap; the revert removes exactly that one (the ConfigMap's own finalizer stays). */
const finalizerBlock: Scenario = {
  title: "FinalizerBlock",
  faultType: "FinalizerBlock",
  clusterScoped: false,
  revertRestoresSomething: true,
  async setup(rest, namespace) {
    await rest.create(`/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: "v1", kind: "ConfigMap",
      metadata: { name: "web-config", labels: { tier: "config" }, finalizers: ["example.com/keep"] },
      data: { "config.yaml": "good" },
    });
  },
  async teardown(rest, namespace) {
    // The namespace can only go once its objects' finalizers are gone.
    await rest.mergePatch(`/api/v1/namespaces/${namespace}/configmaps/web-config`, { metadata: { finalizers: null } }).catch(() => {});
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [webConfigCheck(namespace)], recoveryTimeout: "1s",
    injection: { type: "FinalizerBlock", parameters: { apiVersion: "v1", kind: "ConfigMap", name: "web-config", finalizer: "chaos.operatorchaos.io/block" }, dangerLevel: "high", ttl: "300s" },
  }),
};

/** The Secret is deleted; its backup is journaled in a Secret and re-created by the revert. */
const secretDeletion: Scenario = {
  title: "SecretDeletion",
  faultType: "SecretDeletion",
  clusterScoped: false,
  revertRestoresSomething: true,
  async setup(rest, namespace) {
    await rest.create(`/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: "v1", kind: "Secret", type: "Opaque",
      metadata: { name: "web-secret", labels: { tier: "secret" }, annotations: { owner: "team-a" } },
      data: { token: Buffer.from("s3cret").toString("base64") },
    });
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [{ type: "resourceExists", apiVersion: "v1", kind: "Secret", name: "web-secret", namespace }], recoveryTimeout: "1s",
    injection: { type: "SecretDeletion", parameters: { name: "web-secret" }, dangerLevel: "high", ttl: "300s" },
  }),
};

/**
 * A paused Deployment (h20b's Deployment faults): a paused Deployment rolls nothing out, so its
 * template can change and change back without new ReplicaSets or revision annotations, and the
 * dump compares the Deployment itself field by field.
 */
async function pausedWeb(rest: KubeRest, namespace: string): Promise<void> {
  await rest.create(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name: "web", labels: { app: "web" }, annotations: { owner: "team-a" } },
    spec: {
      replicas: 2, paused: true, selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "main", image: "example/web:1", command: ["/web"] }, { name: "side", image: "example/side:1" }] } },
    },
  });
}
const webExists = (namespace: string) => ({ type: "resourceExists", apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace });
const deploymentFault = (type: string, parameters: Record<string, string>): Scenario => ({
  title: type,
  faultType: type,
  clusterScoped: false,
  revertRestoresSomething: true,
  setup: pausedWeb,
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [webExists(namespace)], recoveryTimeout: "1s",
    injection: { type, parameters, dangerLevel: "high", ttl: "300s" },
  }),
});

const LEASE = {
  labels: { app: "web" }, annotations: { owner: "team-a" },
  spec: { holderIdentity: "web-0_1a2b3c4d", leaseDurationSeconds: 15, acquireTime: "2026-01-01T00:00:00.000000Z", renewTime: "2026-01-01T00:00:10.000000Z", leaseTransitions: 3 },
};

/**
 * The Lease is deleted and recreated from the journal. Dumps leave Leases out (controllers renew
 * theirs), so the dump cannot see this fault: settled() compares the Lease itself.
 */
const leaderElection: Scenario = {
  title: "LeaderElectionDisrupt",
  faultType: "LeaderElectionDisrupt",
  clusterScoped: false,
  revertRestoresSomething: false,
  async setup(rest, namespace) {
    await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, {
      apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "web-leader", labels: LEASE.labels, annotations: LEASE.annotations }, spec: LEASE.spec,
    });
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ServiceAccount", name: "default", namespace }], recoveryTimeout: "1s",
    injection: { type: "LeaderElectionDisrupt", parameters: { name: "web-leader" }, dangerLevel: "high", ttl: "300s" },
  }),
  async settled(rest, namespace) {
    const lease = await rest.get<{ metadata: { labels?: unknown; annotations?: unknown }; spec: unknown }>(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/web-leader`);
    const after = { labels: lease.metadata.labels, annotations: lease.metadata.annotations, spec: lease.spec };
    if (JSON.stringify(after) !== JSON.stringify(LEASE)) throw new Error(`Lease web-leader is not as before: ${JSON.stringify(after)}`);
  },
};

/**
 * Another namespace is deleted; the journal (in the scenario's namespace) recreates its shell.
 * Dumps leave Namespaces out (tests create them all the time): settled() waits for the namespace,
 * Active, with its labels and annotations.
 */
const doomedNamespace = (namespace: string) => `${namespace}-gone`;
const namespaceDeletion: Scenario = {
  title: "NamespaceDeletion",
  faultType: "NamespaceDeletion",
  clusterScoped: false,
  revertRestoresSomething: false,
  async setup(rest, namespace) {
    await rest.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: doomedNamespace(namespace), labels: { tier: "models" }, annotations: { owner: "team-a" } } });
  },
  async teardown(rest, namespace) {
    await rest.delete(`/api/v1/namespaces/${doomedNamespace(namespace)}`).catch(() => {});
  },
  experiment(namespace, name) {
    const document = experiment(namespace, name, {
      checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ServiceAccount", name: "default", namespace }], recoveryTimeout: "1s",
      injection: { type: "NamespaceDeletion", parameters: { namespace: doomedNamespace(namespace) }, dangerLevel: "high", ttl: "300s" },
    });
    // The run acts in (and journals to) the first allowed namespace; the doomed one must be allowed too.
    document.spec.blastRadius.allowedNamespaces = [namespace, doomedNamespace(namespace)];
    return document;
  },
  async settled(rest, namespace) {
    const name = doomedNamespace(namespace);
    await waitForCollection(rest, { path: "/api/v1/namespaces", fieldSelector: `metadata.name=${name}`, timeoutMs: 120_000, what: `namespace ${name} back, Active, labels and annotations as before` }, (items) => {
      const item = items.get(`/${name}`) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; status?: { phase?: string } } | undefined;
      return item?.status?.phase === "Active" && item.metadata?.labels?.tier === "models" && JSON.stringify(item.metadata?.annotations) === JSON.stringify({ owner: "team-a" }) ? true : undefined;
    });
  },
};

/**
 * ClientFault on an existing ConfigMap: afterwards it is exactly as before (labels, annotations,
 * data and binaryData; no SDK-instrumented operator here, so the runs are Inconclusive — the
 * harness is about restoring, not verdicts).
 */
const clientFault: Scenario = {
  title: "ClientFault (existing ConfigMap)",
  faultType: "ClientFault",
  clusterScoped: false,
  revertRestoresSomething: true,
  async setup(rest, namespace) {
    await rest.create(`/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: "v1", kind: "ConfigMap",
      metadata: { name: "operator-chaos-config", labels: { "app.kubernetes.io/managed-by": "web-operator", tier: "chaos" }, annotations: { owner: "team-a" } },
      data: { config: '{"active":false}', other: "kept" },
      binaryData: { blob: Buffer.from([0, 1, 2, 254]).toString("base64") },
    });
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "operator-chaos-config", namespace }], recoveryTimeout: "1s",
    injection: { type: "ClientFault", parameters: { faults: '{"update":{"errorRate":0.5,"error":"conflict"}}' }, ttl: "300s" },
  }),
};

/** #13: a quota of our own; the revert deletes it. */
const quotaExhaustion: Scenario = {
  title: "QuotaExhaustion",
  faultType: "QuotaExhaustion",
  clusterScoped: false,
  revertRestoresSomething: true,
  setup: webConfigMap,
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [webConfigCheck(namespace)], recoveryTimeout: "1s",
    injection: { type: "QuotaExhaustion", parameters: { quotaName: "web-quota", pods: "0", configmaps: "0" }, ttl: "300s" },
  }),
};

/** #13: a budget of our own over the Deployment's pods; the revert deletes it. */
const pdbBlock: Scenario = {
  title: "PDBBlock",
  faultType: "PDBBlock",
  clusterScoped: false,
  revertRestoresSomething: true,
  setup: (rest, namespace) => kwokDeployment(rest, namespace, "web", 1),
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [deploymentAvailable(namespace)], recoveryTimeout: "20s",
    injection: { type: "PDBBlock", parameters: { labelSelector: "app=web" }, dangerLevel: "high", ttl: "300s" },
  }),
};

/** #13: a webhook configuration of the scenario's own (cluster-scoped); its failurePolicy is put back. */
const vwcName = (namespace: string) => `reliability-${namespace}`;
const webhookDisrupt: Scenario = {
  title: "WebhookDisrupt",
  faultType: "WebhookDisrupt",
  clusterScoped: true,
  revertRestoresSomething: true,
  async setup(rest, namespace) {
    await rest.create("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", {
      apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration",
      metadata: { name: vwcName(namespace), labels: { "app.kubernetes.io/managed-by": "web-operator" }, annotations: { owner: "team-a" } },
      webhooks: [{
        name: "validate.web.example.io", failurePolicy: "Fail", sideEffects: "None", admissionReviewVersions: ["v1"],
        clientConfig: { url: "https://127.0.0.1:9/validate" },
        rules: [{ operations: ["CREATE"], apiGroups: ["web.example.io"], apiVersions: ["v1"], resources: ["webs"] }],
      }],
    });
  },
  async teardown(rest, namespace) {
    await rest.delete(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${vwcName(namespace)}`).catch(() => {});
  },
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [{ type: "resourceExists", apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", name: vwcName(namespace) }], recoveryTimeout: "1s",
    injection: { type: "WebhookDisrupt", parameters: { webhookName: vwcName(namespace), action: "setFailurePolicy", value: "Ignore" }, dangerLevel: "high", ttl: "300s" },
    clusterScoped: true,
  }),
};

/**
 * #13: the latency webhook's five objects (ConfigMap, Secret, Deployment, Service and the
 * cluster-scoped webhook configuration). Its ReplicaSet and pod go with the Deployment
 * (garbage collector): settled() waits until none is left.
 */
const webhookLatencyOurs = "app.kubernetes.io/managed-by=operator-chaos,chaos.operatorchaos.io/type=WebhookLatency";
const webhookLatency: Scenario = {
  title: "WebhookLatency",
  faultType: "WebhookLatency",
  clusterScoped: true,
  revertRestoresSomething: true,
  setup: webConfigMap,
  experiment: (namespace, name) => experiment(namespace, name, {
    checks: [webConfigCheck(namespace)], recoveryTimeout: "1s",
    injection: { type: "WebhookLatency", parameters: { resources: "configmaps", apiGroups: '""', delay: "1s" }, dangerLevel: "high", ttl: "300s" },
  }),
  async settled(rest, namespace) {
    // The garbage collector has something to catch up with only once the Deployment is gone (a broken
    // revert, in the harness's self-check, leaves it in place on purpose).
    if ((await ours(rest, `/apis/apps/v1/namespaces/${namespace}/deployments`)).length > 0) return;
    for (const path of [`/api/v1/namespaces/${namespace}/pods`, `/apis/apps/v1/namespaces/${namespace}/replicasets`]) {
      await waitForCollection(rest, { path, labelSelector: webhookLatencyOurs, timeoutMs: 60_000, what: `no ${path.split("/").at(-1)} of the latency webhook left` },
        (items) => (items.size === 0 ? true : undefined));
    }
  },
  // After the broken-revert self-check the webhook is still there: remove it so it cannot slow (or
  // confuse) the lab tests that follow.
  async teardown(rest, namespace) {
    const collections = [
      `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations`, `/apis/apps/v1/namespaces/${namespace}/deployments`,
      `/api/v1/namespaces/${namespace}/services`, `/api/v1/namespaces/${namespace}/configmaps`, `/api/v1/namespaces/${namespace}/secrets`,
    ];
    for (const collection of collections) {
      for (const name of await ours(rest, collection)) await rest.delete(`${collection}/${name}`).catch(() => {});
    }
  },
};

/** Names of the latency webhook's objects in a collection. */
async function ours(rest: KubeRest, collection: string): Promise<string[]> {
  const list = await rest.get<{ items: { metadata: { name: string } }[] }>(collection, { query: { labelSelector: webhookLatencyOurs } });
  return list.items.map((item) => item.metadata.name);
}

export const SCENARIOS: readonly Scenario[] = [
  podKill, networkPartition, configDrift, configDriftSecret, roleBinding, clusterRoleBinding,
  labelStomping, ownerRefOrphan, resourceDeletion, secretDeletion, crdMutation, finalizerBlock,
  deploymentFault("DeploymentScaleZero", { name: "web" }), deploymentFault("CrashLoopInject", { name: "web", containerName: "main" }),
  deploymentFault("ImageCorrupt", { name: "web", containerName: "side" }), leaderElection, namespaceDeletion,
  clientFault, quotaExhaustion, pdbBlock, webhookDisrupt, webhookLatency,
];

// Unit tests of the demo operator's pure parts, and of the agreement between its manifests, its
// code and the seed experiments it is the system under test for.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/lab/paths.js";
import { parseLabelSelector } from "../../src/faults/label-selector.js";
import { LLAMASTACK, readManifests, withSwitches } from "./deploy.js";
import { ApiHealth } from "./operator/api-health.js";
import {
  adoptFields, canonical, DESIRED_SERVING_CONFIG, deploymentDiffers, desiredDeployment, distributionStatus, operandLabels, SERVER_COMMAND,
  validateServingConfig, type AdoptedFields, type Distribution,
} from "./operator/desired.js";
import { MODEL_CATALOG, WORKSPACE_LABELS } from "./operator/workspace.js";
import { blocksPod, DisruptionBudgetReconciler } from "./operator/disruption.js";
import { ApiError, ConnectionError, failureKind } from "./operator/kube.js";
import type { Logger } from "./operator/log.js";
import { backoffMs, NAMES } from "./operator/settings.js";
import { SWITCH_FOR_EXPERIMENT, SWITCHES, switchesFrom } from "./switches.js";

const manifests = readManifests();
const find = (kind: string, name: string) => {
  const manifest = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  expect(manifest, `${kind} ${name} in examples/llamastack/deploy`).toBeDefined();
  return manifest!;
};
const seed = (name: string) => parse(readFileSync(join(projectRoot(), "experiments", "llamastack", `${name}.yaml`), "utf8"));

interface Container { command: string[]; env: { name: string; value?: string }[]; readinessProbe: { httpGet: { path: string } } }
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { nodeSelector: Record<string, string>; tolerations: unknown[]; serviceAccountName: string; containers: Container[] };
}
const manager = () => find("Deployment", LLAMASTACK.deployment) as unknown as { metadata: { labels: Record<string, string> }; spec: { replicas: number; template: PodTemplate } };

function matches(selector: string, labels: Record<string, string>): boolean {
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.requirements.every((r) => r.operator === "=" || r.operator === "==" ? labels[r.key] === r.values[0] : false);
}

describe("the demo operator's manifests", () => {
  it("ship exactly the serving config the operator owns, so a fresh deploy is not drift", () => {
    const configMap = find("ConfigMap", NAMES.servingConfig) as unknown as { data: Record<string, string> };
    expect(configMap.data[NAMES.servingConfigKey]).toBe(DESIRED_SERVING_CONFIG);
    expect(validateServingConfig(DESIRED_SERVING_CONFIG).valid).toBe(true);
  });

  it("ship the workspace namespace and model catalog the operator recreates, as it would create them", () => {
    const workspace = find("Namespace", NAMES.workspaceNamespace) as unknown as { metadata: { labels: Record<string, string> } };
    expect(workspace.metadata.labels).toEqual(WORKSPACE_LABELS);
    const catalog = find("ConfigMap", NAMES.modelCatalog) as unknown as { metadata: { namespace: string; labels: Record<string, string> }; data: Record<string, string> };
    expect(catalog.metadata).toMatchObject({ namespace: NAMES.workspaceNamespace, labels: WORKSPACE_LABELS });
    expect(catalog.data[NAMES.modelCatalogKey]).toBe(MODEL_CATALOG);
    const role = find("ClusterRole", "llamastack-controller-manager-role") as unknown as { rules: { resources: string[]; verbs: string[] }[] };
    expect(role.rules.find((rule) => rule.resources.includes("namespaces"))?.verbs).toEqual(["get", "list", "watch", "create"]);
  });

  it("name what the seed experiments target: namespace, Deployment and its labels, ConfigMap and key, ClusterRoleBinding", () => {
    const deployment = manager();
    expect(deployment.spec.replicas).toBe(1);
    for (const name of ["pod-kill", "network-partition"]) {
      const experiment = seed(name);
      expect(matches(experiment.spec.injection.parameters.labelSelector, deployment.spec.template.metadata.labels)).toBe(true);
      expect(experiment.spec.steadyState.checks[0]).toMatchObject({ kind: "Deployment", name: LLAMASTACK.deployment, namespace: LLAMASTACK.namespace });
    }
    const drift = seed("config-drift");
    expect(drift.spec.injection.parameters).toMatchObject({ name: NAMES.servingConfig, key: NAMES.servingConfigKey });
    const revoke = seed("rbac-revoke");
    const binding = find("ClusterRoleBinding", revoke.spec.injection.parameters.bindingName) as unknown as { subjects: { name: string; namespace: string }[] };
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: deployment.spec.template.spec.serviceAccountName, namespace: LLAMASTACK.namespace }]);
    expect(find("Namespace", LLAMASTACK.namespace)).toBeDefined();
  });

  it("run the operator on the lab's process node from the compiled entry point, with a readiness probe", () => {
    const template = manager().spec.template;
    expect(template.spec.nodeSelector).toEqual({ "lab.operator-chaos.io/runner": "process" });
    expect(template.spec.tolerations).toEqual([{ key: "lab.operator-chaos.io/runner", operator: "Equal", value: "process", effect: "NoSchedule" }]);
    expect(template.spec.containers[0]!.command).toEqual(["node", "dist/examples/llamastack/operator/main.js"]);
    expect(template.spec.containers[0]!.readinessProbe.httpGet.path).toBe("/readyz");
  });

  it("list every break switch, off; deploy switches set one and keep the others off, and refuse unknown ones", () => {
    const env = manager().spec.template.spec.containers[0]!.env;
    for (const variable of Object.values(SWITCHES)) expect(env).toContainEqual({ name: variable, value: "false" });
    const broken = withSwitches(find("Deployment", LLAMASTACK.deployment), { [SWITCHES.noLeaderRecovery]: "true" });
    const brokenEnv = (broken.spec as { template: PodTemplate }).template.spec.containers[0]!.env;
    expect(brokenEnv).toContainEqual({ name: SWITCHES.noLeaderRecovery, value: "true" });
    expect(brokenEnv).toContainEqual({ name: SWITCHES.exitOnForbidden, value: "false" });
    expect(() => withSwitches(find("Deployment", LLAMASTACK.deployment), { LLAMASTACK_NO_SUCH_SWITCH: "true" })).toThrow(/unknown switch/);
  });

  it("map each seed experiment to a different switch", () => {
    expect(new Set(Object.values(SWITCH_FOR_EXPERIMENT)).size).toBe(Object.keys(SWITCH_FOR_EXPERIMENT).length);
    const parsed = switchesFrom({ [SWITCHES.giveUpOnLostWatch]: "true", [SWITCHES.exitOnForbidden]: "yes" });
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(SWITCHES).sort());
    expect(Object.entries(parsed).filter(([, on]) => on).map(([name]) => name)).toEqual(["giveUpOnLostWatch"]);
  });
});

describe("the demo operator's desired state", () => {
  const distribution: Distribution = {
    apiVersion: "llamastack.io/v1alpha1", kind: "LlamaStackDistribution",
    metadata: { name: "sample", namespace: "opendatahub", uid: "u-1", generation: 3 },
    spec: { replicas: 2, server: { distribution: { name: "ollama" }, containerSpec: { port: 9000 } } },
  };

  it("rejects the seed's drifted value and accepts the owned one", () => {
    const drifted = seed("config-drift").spec.injection.parameters.value as string;
    const verdict = validateServingConfig(drifted);
    expect(verdict.valid).toBe(false);
    expect(!verdict.valid && verdict.reason).toMatch(/serving.endpoint must be an http\(s\) URL, got "invalid:\/\/broken"/);
    expect(validateServingConfig(undefined).valid).toBe(false);
  });

  it("gives operand pods labels that the seed selectors never match", () => {
    const labels = operandLabels(distribution);
    expect(matches(seed("pod-kill").spec.injection.parameters.labelSelector, labels)).toBe(false);
    expect(labels[NAMES.managedByLabel]).toBe(NAMES.managedByValue);
  });

  it("builds the Deployment from the distribution and sees drift in the fields it owns, not in key order", () => {
    const config = { endpoint: "http://0.0.0.0:8321", timeout: "30s" };
    const deployment = desiredDeployment(distribution, config, "abc");
    const spec = deployment.spec as { replicas: number; template: { spec: { containers: { image: string; ports: { containerPort: number }[] }[] } } };
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.containers[0]!.image).toContain("distribution-ollama");
    expect(spec.template.spec.containers[0]!.ports[0]!.containerPort).toBe(9000);
    expect(deployment.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "LlamaStackDistribution", name: "sample", uid: "u-1", controller: true });
    const fromServer = JSON.parse(canonical(deployment));
    expect(deploymentDiffers(fromServer, deployment)).toBe(false);
    expect(deploymentDiffers({ ...fromServer, spec: { ...fromServer.spec, replicas: 5 } }, deployment)).toBe(true);
    expect(deploymentDiffers(fromServer, desiredDeployment(distribution, config, "other-hash"))).toBe(true);
  });

  it("owns its server container's command and image; a switch makes it adopt replicas, command or image as it finds them", () => {
    const config = { endpoint: "http://0.0.0.0:8321", timeout: "30s" };
    const desired = desiredDeployment(distribution, config, "abc");
    type Shape = { spec: { replicas?: number; template: { spec: { containers: { name: string; image: string; command?: string[] }[] } } } };
    const changed = structuredClone(desired) as unknown as Shape;
    changed.spec.replicas = 0;
    changed.spec.template.spec.containers[0]!.command = ["/chaos-nonexistent-binary"];
    changed.spec.template.spec.containers[0]!.image = "registry.invalid/nonexistent:chaos";
    const current = changed as unknown as typeof desired;
    expect((desired as unknown as Shape).spec.template.spec.containers[0]!.command).toEqual([...SERVER_COMMAND]);
    expect(deploymentDiffers(current, desired)).toBe(true);
    expect(adoptFields(desired, current, {})).toBe(desired);
    const adopted = (fields: AdoptedFields) => (adoptFields(desired, current, fields) as unknown as Shape).spec;
    expect(adopted({ replicas: true }).replicas).toBe(0);
    expect(adopted({ replicas: true }).template.spec.containers[0]!.image).not.toContain("invalid");
    expect(adopted({ command: true }).template.spec.containers[0]!.command).toEqual(["/chaos-nonexistent-binary"]);
    expect(adopted({ command: true }).replicas).toBe(2);
    expect(adopted({ image: true }).template.spec.containers[0]!.image).toBe("registry.invalid/nonexistent:chaos");
    expect(deploymentDiffers(current, adoptFields(desired, current, { replicas: true, command: true, image: true }))).toBe(false);
  });

  it("reports Ready only with enough available replicas, and keeps a condition's transition time while it holds", () => {
    const invalid = validateServingConfig("serving: {}");
    const status = distributionStatus({
      distribution, deployment: { status: { availableReplicas: 1 } }, validation: invalid, hash: "h", operatorInstance: "pod-a", now: "2030-01-01T00:00:00Z",
    });
    expect(status).toMatchObject({ phase: "Initializing", observedGeneration: 3, availableReplicas: 1, operatorInstance: "pod-a" });
    expect(status.conditions?.find((c) => c.type === "ServingConfigValid")).toMatchObject({ status: "False", reason: "InvalidServingConfig" });
    const later = distributionStatus({
      distribution: { ...distribution, status }, deployment: { status: { availableReplicas: 2 } }, validation: invalid, hash: "h",
      operatorInstance: "pod-a", now: "2030-01-01T00:01:00Z",
    });
    expect(later.phase).toBe("Ready");
    expect(later.conditions?.find((c) => c.type === "ServingConfigValid")?.lastTransitionTime).toBe("2030-01-01T00:00:00Z");
    expect(later.conditions?.find((c) => c.type === "DeploymentReady")?.lastTransitionTime).toBe("2030-01-01T00:01:00Z");
  });
});

describe("the demo operator's error handling", () => {
  it("backs off exponentially from 100 ms and never waits more than 2 s", () => {
    const backoff = { baseMs: 100, capMs: 2_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((failures) => backoffMs(failures, backoff))).toEqual([0, 100, 200, 400, 800, 1_600, 2_000, 2_000]);
  });

  it("treats 404 and 409 as answers, 403 as forbidden, and no answer as a lost connection", () => {
    expect(failureKind(new ApiError(404, "NotFound", "", "GET x"))).toBeUndefined();
    expect(failureKind(new ApiError(409, "Conflict", "", "PUT x"))).toBeUndefined();
    expect(failureKind(new ApiError(403, "Forbidden", "", "GET x"))).toBe("forbidden");
    expect(failureKind(new ApiError(503, "ServiceUnavailable", "", "GET x"))).toBe("server");
    expect(failureKind(new ConnectionError("no answer", "GET x", true))).toBe("timeout");
    expect(failureKind(new ConnectionError("ECONNREFUSED", "GET x", false))).toBe("connection");
  });

  it("logs losing API access once, every failed request, and the recovery with how long it took", () => {
    const lines: string[] = [];
    const logger: Logger = { info: (m, f) => lines.push(`INFO ${m} ${JSON.stringify(f)}`), warn: (m, f) => lines.push(`WARN ${m} ${JSON.stringify(f)}`), error: (m, f) => lines.push(`ERROR ${m} ${JSON.stringify(f)}`) };
    let now = 1_000;
    const health = new ApiHealth(logger, () => now);
    const lost: string[] = [];
    const forbidden: string[] = [];
    health.onConnectionLost((reason) => lost.push(reason));
    health.onForbidden((reason) => forbidden.push(reason));
    health.succeeded("GET a");
    health.failed("GET a", new ConnectionError("GET a: no answer within 2000 ms", "GET a", true));
    now += 1_500;
    health.failed("PUT b", new ApiError(403, "Forbidden", "PUT b: HTTP 403", "PUT b"));
    health.failed("GET c", new ApiError(404, "NotFound", "GET c: HTTP 404", "GET c"));
    expect(health.reachable).toBe(true);
    expect(lines.filter((l) => l.startsWith("WARN lost api access"))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("ERROR api request failed"))).toHaveLength(2);
    expect(lines.at(-1)).toBe('INFO api access restored {"after":"1.5s","failedRequests":2,"lastError":"forbidden"}');
    expect(lost).toEqual(["GET a: no answer within 2000 ms"]);
    expect(forbidden).toEqual(["PUT b: HTTP 403"]);
    expect(health.counters.failures.get("timeout")).toBe(1);
  });
});

describe("the PDBBlock switch's drain hand-off (operator/disruption.ts)", () => {
  const budget = (matchLabels: Record<string, string> | undefined, status?: { observedGeneration?: number; disruptionsAllowed?: number }) =>
    ({ metadata: { name: "b", namespace: "opendatahub", generation: 1 }, spec: { selector: matchLabels ? { matchLabels } : undefined }, status });
  const pod = { "control-plane": "controller-manager", "app.kubernetes.io/name": "llamastack", "pod-template-hash": "x" };

  it("sees a processed budget over its pod's labels that allows no disruption as blocking, and nothing else", () => {
    expect(blocksPod(budget({ "control-plane": "controller-manager" }, { observedGeneration: 1, disruptionsAllowed: 0 }), pod)).toBe(true);
    // Not processed yet by the disruption controller, or still allowing a disruption.
    expect(blocksPod(budget({ "control-plane": "controller-manager" }, {}), pod)).toBe(false);
    expect(blocksPod(budget({ "control-plane": "controller-manager" }, { observedGeneration: 1, disruptionsAllowed: 1 }), pod)).toBe(false);
    // Another workload's budget, or one with no label selector.
    expect(blocksPod(budget({ "control-plane": "other" }, { observedGeneration: 1, disruptionsAllowed: 0 }), pod)).toBe(false);
    expect(blocksPod(budget(undefined, { observedGeneration: 1, disruptionsAllowed: 0 }), pod)).toBe(false);
  });

  it("deletes its own pod once when a budget blocks it, and leaves it when none does", async () => {
    const requests: string[] = [];
    const client = { request: async (method: string, path: string) => { requests.push(`${method} ${path}`); return { metadata: { labels: pod } }; } } as never;
    const logger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
    const cache = new Map<string, unknown>();
    const reconciler = new DisruptionBudgetReconciler({ client, log: logger, namespace: "opendatahub", podName: "manager-1", budgets: { cache } as never });
    await reconciler.reconcile();
    expect(requests).toEqual(["GET /api/v1/namespaces/opendatahub/pods/manager-1"]);
    cache.set("opendatahub/b", budget({ "app.kubernetes.io/name": "llamastack" }, { observedGeneration: 1, disruptionsAllowed: 0 }));
    await reconciler.reconcile();
    await reconciler.reconcile();
    expect(requests).toEqual(["GET /api/v1/namespaces/opendatahub/pods/manager-1", "DELETE /api/v1/namespaces/opendatahub/pods/manager-1"]);
  });
});

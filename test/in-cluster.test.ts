// An unmodified client-go controller that knows only rest.InClusterConfig() runs on the process
// node and reconciles: the runner gives it what a kubelet gives a container (service variables,
// the ServiceAccount volume at the standard path, a route to the kubernetes Service address).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPodLogFile } from "../src/cli/lab-logs.js";
import { watchUntil } from "../src/kube/watch.js";
import { PROCESS_NODE_SELECTOR, PROCESS_NODE_TOLERATION } from "../src/lab/runner/index.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { buildGoFixture } from "./support/go-fixture.js";

const { lab, config, core, rbac } = labClients();
let namespace: string;
let binary: string;

beforeAll(async () => {
  [binary, namespace] = await Promise.all([buildGoFixture("incluster-controller"), freshNamespace(core, "incluster")]);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "mirror" } } });
  await rbac.createNamespacedRole({ namespace, body: {
    metadata: { name: "mirror" },
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create", "update"] }],
  } });
  await rbac.createNamespacedRoleBinding({ namespace, body: {
    metadata: { name: "mirror" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "mirror" },
    subjects: [{ kind: "ServiceAccount", name: "mirror", namespace }],
  } });
}, 600_000);

afterAll(async () => {
  if (namespace) await core.deleteNamespace({ name: namespace }).catch(() => {});
});

function mirrorValue(expected: string) {
  return watchUntil(config, { path: `/api/v1/namespaces/${namespace}/configmaps`, timeoutMs: 90_000, what: `source-mirror with value=${expected}` },
    (maps) => ((maps.get(`${namespace}/source-mirror`)?.data as Record<string, string> | undefined)?.value === expected ? true : undefined));
}

describe("in-cluster configuration on the process node", () => {
  it("a client-go controller using only InClusterConfig starts on the process node and reconciles", async () => {
    await core.createNamespacedPod({ namespace, body: {
      metadata: { name: "mirror-controller" },
      spec: {
        nodeSelector: { ...PROCESS_NODE_SELECTOR }, tolerations: [{ ...PROCESS_NODE_TOLERATION }],
        serviceAccountName: "mirror", terminationGracePeriodSeconds: 2,
        // The image is not pulled: the command is a path on this host.
        containers: [{ name: "controller", image: "example.com/incluster-controller:1", command: [binary] }],
      },
    } });
    await core.createNamespacedConfigMap({ namespace, body: {
      metadata: { name: "source", labels: { "fixture.operator-chaos.io/source": "true" } }, data: { value: "one" },
    } });
    await mirrorValue("one");
    await core.patchNamespacedConfigMap({ namespace, name: "source", body: [{ op: "replace", path: "/data/value", value: "two" }] });
    await mirrorValue("two");

    const log = readFileSync(findPodLogFile(lab.dir, namespace, "mirror-controller").file, "utf8");
    // It dialled the kubernetes Service address (KUBERNETES_SERVICE_HOST/PORT) and read its namespace from the volume.
    expect(log).toContain(`in-cluster config: host https://10.96.0.1:443, namespace ${namespace}`);
    // Its writes carry its own ServiceAccount identity (the token in the volume), not the runner's.
    const mirror = await core.readNamespacedConfigMap({ namespace, name: "source-mirror" });
    expect(mirror.metadata?.managedFields?.map((entry) => entry.manager)).toContain(binary.split("/").pop());
  }, 240_000);
});

// No fault outlives its run (issue #11): `clean` with no flags searches every namespace and removes a
// dead run's lock Lease; `clean --watch` reverts a run SIGKILLed long after its last journal write,
// within the lock's lease; a run whose lock renewals fail (real 403s) stops, reverts and is not
// Resilient.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { KubeRest } from "../src/kube/rest.js";
import { waitForCollection } from "../src/kube/watcher.js";
import { LOCK_DURATION_SECONDS } from "../src/engine/lock.js";
import { mintServiceAccountKubeconfig } from "../src/lab/service-account.js";
import { runCli, spawnCli, writeTemp } from "./support/cli.js";
import { freshNamespace, labClients } from "./support/cluster.js";
import { follow, journalRecords, namespaceSettled } from "./reliability/support.js";

const { lab, config, core } = labClients();
const rest = new KubeRest(config);
const RBAC = "/apis/rbac.authorization.k8s.io/v1";

async function webNamespace(prefix: string): Promise<string> {
  const namespace = await freshNamespace(core, prefix);
  await namespaceSettled(rest, namespace);
  await rest.create(`/api/v1/namespaces/${namespace}/configmaps`, {
    apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-config" }, data: { "config.yaml": "good" },
  });
  return namespace;
}

/** ConfigDrift that nobody repairs: the run observes until its recoveryTimeout. */
const drift = (namespace: string, name: string, recoveryTimeout: string) => ({
  apiVersion: "chaos.operatorchaos.io/v1alpha1",
  kind: "ChaosExperiment",
  metadata: { name },
  spec: {
    target: { operator: `web-${namespace}`, component: "web" },
    steadyState: { checks: [{ type: "resourceExists", apiVersion: "v1", kind: "ConfigMap", name: "web-config", namespace }] },
    injection: { type: "ConfigDrift", parameters: { name: "web-config", key: "config.yaml", value: "broken" }, ttl: "600s" },
    hypothesis: { description: "nobody repairs", recoveryTimeout },
    blastRadius: { maxPodsAffected: 1, allowedNamespaces: [namespace] },
  },
});

const configValue = async (namespace: string) =>
  (await rest.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${namespace}/configmaps/web-config`)).data?.["config.yaml"];

const leases = async (namespace: string) =>
  (await rest.get<{ items: { metadata: { name: string } }[] }>(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`)).items.map((lease) => lease.metadata.name);

describe("clean with no flags", () => {
  it("finds a killed run's fault in a namespace other than the kubeconfig's, reverts it and removes the run's lock Lease", async () => {
    const namespace = await webNamespace("anywhere");
    const crashed = await runCli(["run", writeTemp("experiment.yaml", drift(namespace, "killed-elsewhere", "30s"))], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: "mutated" });
    expect(crashed.signal).toBe("SIGKILL");
    expect(await configValue(namespace)).toBe("broken");
    expect(await leases(namespace)).toEqual([`operator-chaos-lock-web-${namespace}`]);
    // The lab's kubeconfig names no namespace (so "default"); the fault is elsewhere.
    const cleaned = await runCli(["clean"], lab.kubeconfig);
    const output = cleaned.stdout + cleaned.stderr;
    expect(cleaned.code, output).toBe(0);
    expect(cleaned.stdout).toMatch(new RegExp(`reverted\\s+ConfigDrift\\s+ConfigMap/${namespace}/web-config`));
    expect(cleaned.stdout).toMatch(new RegExp(`reverted\\s+Lease\\s+Lease/${namespace}/operator-chaos-lock-web-${namespace}\\s+\\(removed the lock of the dead run killed-elsewhere/`));
    expect(await configValue(namespace)).toBe("good");
    expect(await journalRecords(config, namespace)).toEqual([]);
    expect(await leases(namespace)).toEqual([]);
  });

  it("-n restricts it to one namespace", async () => {
    const [one, other] = [await webNamespace("only"), await webNamespace("untouched")];
    for (const namespace of [one, other]) {
      const crashed = await runCli(["run", writeTemp("experiment.yaml", drift(namespace, "restricted", "30s"))], lab.kubeconfig, { OPERATOR_CHAOS_CRASH_AT: "mutated" });
      expect(crashed.signal, `${crashed.stdout}\n${crashed.stderr}`).toBe("SIGKILL");
    }
    const cleaned = await runCli(["clean", "-n", one], lab.kubeconfig);
    expect(cleaned.code, cleaned.stdout + cleaned.stderr).toBe(0);
    expect([await configValue(one), await configValue(other)]).toEqual(["good", "broken"]);
    expect(await runCli(["clean", "-n", other], lab.kubeconfig)).toMatchObject({ code: 0 });
    expect(await configValue(other)).toBe("good");
  });
});

describe("clean --watch", () => {
  it(`reverts a run SIGKILLed 60 s after its last journal write within the lease (${LOCK_DURATION_SECONDS} s) + 10 s`, async () => {
    const namespace = await webNamespace("watched");
    const watcher = follow(spawnCli(["clean", "--watch", "-n", namespace], lab.kubeconfig));
    try {
      const run = follow(spawnCli(["run", writeTemp("experiment.yaml", drift(namespace, "killed-late", "180s"))], lab.kubeconfig));
      await run.waitFor(/phase Observing/, 120_000);
      // The journal record was written before the mutation; nothing is journaled while observing.
      await new Promise((resolvePause) => setTimeout(resolvePause, 60_000));
      expect(await configValue(namespace)).toBe("broken");
      run.child.kill("SIGKILL");
      const killedAt = Date.now();
      await run.exit;
      await waitForCollection(rest, {
        path: `/api/v1/namespaces/${namespace}/configmaps`, fieldSelector: "metadata.name=web-config",
        timeoutMs: (LOCK_DURATION_SECONDS + 10) * 1000, what: "web-config restored by clean --watch",
      }, (maps) => ((maps.get(`${namespace}/web-config`) as { data?: Record<string, string> } | undefined)?.data?.["config.yaml"] === "good" ? true : undefined));
      const tookMs = Date.now() - killedAt;
      console.log(`clean --watch reverted a run killed 60 s after its journal write ${tookMs} ms after the kill`);
      expect(tookMs).toBeLessThanOrEqual((LOCK_DURATION_SECONDS + 10) * 1000);
      expect(await journalRecords(config, namespace)).toEqual([]);
      expect(watcher.stderr()).not.toMatch(/unhandled|TypeError/i);
    } finally {
      watcher.child.kill("SIGINT");
      await watcher.exit;
    }
  }, 300_000);
});

describe("a run whose lock cannot be renewed", () => {
  it("stops once renewals have failed for most of its lease, reverts, and is not Resilient", async () => {
    const namespace = await webNamespace("renew");
    const lockNamespace = await freshNamespace(core, "renew-lock");
    // The run acts as a ServiceAccount: everything in its namespace, Leases in the lock namespace
    // through a RoleBinding this test removes mid-run (real 403s on every renewal from then on).
    await rest.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "chaos" } });
    const subject = [{ kind: "ServiceAccount", name: "chaos", namespace }];
    for (const [where, name, rules] of [
      [namespace, "chaos-all", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]],
      [lockNamespace, "chaos-lock", [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["*"] }]],
    ] as const) {
      await rest.create(`${RBAC}/namespaces/${where}/roles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name }, rules });
      await rest.create(`${RBAC}/namespaces/${where}/rolebindings`, {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects: subject,
      });
    }
    const minted = await mintServiceAccountKubeconfig({ admin: config, namespace, serviceAccount: "chaos", caFile: lab.caFile });
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "oc-renew-")), "kubeconfig");
    writeFileSync(kubeconfig, minted.kubeconfig);
    const reportDir = mkdtempSync(join(tmpdir(), "oc-renew-report-"));
    const run = follow(spawnCli(["run", writeTemp("experiment.yaml", drift(namespace, "unrenewable", "180s")), "--lock-namespace", lockNamespace, "--report-dir", reportDir], kubeconfig));
    await run.waitFor(/phase Observing/, 120_000);
    await rest.delete(`${RBAC}/namespaces/${lockNamespace}/rolebindings/chaos-lock`);
    const revokedAt = Date.now();
    await run.waitFor(/lost the lock: the lock could not be renewed/, (LOCK_DURATION_SECONDS + 20) * 1000);
    const lostAfterMs = Date.now() - revokedAt;
    const exit = await run.exit;
    const output = `${run.stdout()}\n${run.stderr()}`;
    console.log(`lock renewals refused: the run stopped ${lostAfterMs} ms after the revocation`);
    expect(lostAfterMs).toBeLessThan(LOCK_DURATION_SECONDS * 1000);
    expect(exit.code, output).toBe(1);
    const report = JSON.parse(readFileSync(join(reportDir, readdirSync(reportDir).find((file) => file.endsWith(".json"))!), "utf8")) as {
      phase: string; evaluation: { verdict: string }; timeline: { type: string; operation?: string }[];
    };
    expect(report.phase).toBe("Aborted");
    expect(report.evaluation.verdict).toBe("Inconclusive");
    expect(report.timeline.some((event) => event.type === "toolError" && event.operation === "lock")).toBe(true);
    expect(await configValue(namespace)).toBe("good");
    expect(await journalRecords(config, namespace)).toEqual([]);
  }, 300_000);
});

describe("RBACRevoke never revokes the tool's own rights", () => {
  it("refuses a binding that grants the identity the run acts as, and changes nothing", async () => {
    const namespace = await webNamespace("self-bind");
    await rest.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "chaos" } });
    await rest.create(`${RBAC}/namespaces/${namespace}/roles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "chaos-all" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
    const subjects = [{ kind: "ServiceAccount", name: "chaos", namespace }];
    await rest.create(`${RBAC}/namespaces/${namespace}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "chaos-all" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "chaos-all" }, subjects,
    });
    // The cluster-wide reads RBACRevoke's preflight asks for (confirm() uses them), from a ClusterRole of this test's own.
    const clusterName = `oc-test-${namespace}`;
    await rest.create(`${RBAC}/clusterroles`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: clusterName },
      rules: [{ apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] }, { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["get"] }],
    });
    await rest.create(`${RBAC}/clusterrolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: clusterName },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterName }, subjects,
    });
    onTestFinished(async () => {
      for (const path of [`${RBAC}/clusterrolebindings/${clusterName}`, `${RBAC}/clusterroles/${clusterName}`]) await rest.delete(path).catch(() => {});
    });
    const minted = await mintServiceAccountKubeconfig({ admin: config, namespace, serviceAccount: "chaos", caFile: lab.caFile });
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "oc-self-")), "kubeconfig");
    writeFileSync(kubeconfig, minted.kubeconfig);
    const experiment = {
      apiVersion: "chaos.operatorchaos.io/v1alpha1", kind: "ChaosExperiment", metadata: { name: "self-revoke" },
      spec: {
        target: { operator: `web-${namespace}`, component: "web" },
        steadyState: { checks: [{ type: "resourceExists", apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", name: "chaos-all", namespace }] },
        injection: { type: "RBACRevoke", dangerLevel: "high", parameters: { bindingName: "chaos-all", bindingType: "RoleBinding" }, ttl: "300s" },
        hypothesis: { description: "never runs", recoveryTimeout: "20s" },
        blastRadius: { maxPodsAffected: 1, allowedNamespaces: [namespace], allowDangerous: true },
      },
    };
    const result = await runCli(["run", writeTemp("experiment.yaml", experiment)], kubeconfig);
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(1);
    expect(output).toContain(`grants the identity operator-chaos runs as (system:serviceaccount:${namespace}:chaos: ServiceAccount ${namespace}/chaos)`);
    const binding = await rest.get<{ subjects: unknown[] }>(`${RBAC}/namespaces/${namespace}/rolebindings/chaos-all`);
    expect(binding.subjects).toEqual(subjects);
    expect(await journalRecords(config, namespace)).toEqual([]);
  });
});

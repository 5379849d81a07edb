// LabelStomping, OwnerRefOrphan, ResourceDeletion, SecretDeletion, CRDMutation and FinalizerBlock against the demo llamastack
// operator (experiments/llamastack/*.yaml as written): Resilient as shipped, Failed with the one
// switch that breaks what each tests. With a switch on the operator does not repair, so the tool's
// revert is what restores the cluster: the namespace's dump after the run equals the one before.
// SecretDeletion's broken operator does act (it regenerates the Secret): its value is kept.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { SWITCH_FOR_EXPERIMENT } from "../examples/llamastack/switches.js";
import { KubeRest } from "../src/kube/rest.js";
import { projectRoot } from "../src/lab/paths.js";
import type { ExperimentReport } from "../src/report/model.js";
import { clusterDump, dumpDifferences, isResultKey } from "./reliability/support.js";
import { runCli, writeTemp } from "./support/cli.js";
import { labClients } from "./support/cluster.js";

const { lab, config } = labClients();
const rest = new KubeRest(config);

type Seed = "label-stomping" | "owner-ref-orphan" | "resource-deletion" | "secret-deletion" | "crd-mutation" | "finalizer-block";

async function deployOperator(brokenFor?: Seed): Promise<void> {
  await deployLlamastack(lab.kubeconfig, { switches: brokenFor ? { [SWITCH_FOR_EXPERIMENT[brokenFor]]: "true" } : {} });
}

async function runSeed(seed: Seed, extra: string[] = []): Promise<{ code: number | null; report: ExperimentReport }> {
  const file = join(projectRoot(), "experiments", "llamastack", `${seed}.yaml`);
  // FinalizerBlock is sustained: held 10 s, then reverted.
  const hold = seed === "finalizer-block" ? ["--hold", "10s"] : [];
  const result = await runCli(["run", file, "-o", "json", "--stability-window", "3s", ...hold, ...extra], lab.kubeconfig);
  expect(result.stdout, result.stderr).toMatch(/^\{/);
  return { code: result.code, report: JSON.parse(result.stdout) as ExperimentReport };
}

const SHORT_TIMEOUT = ["--set", "hypothesis.recoveryTimeout=15s"];

/** What changes in the namespace by itself or by the operator's normal work, not by the fault. */
const churn = (key: string) => isResultKey(key)
  || /^v1\/(pods|endpoints)\//.test(key) || /^(apps\/v1\/(replicasets|controllerrevisions)|discovery\.k8s\.io\/v1\/endpointslices)\//.test(key)
  || key.startsWith("v1/configmaps/operator-chaos-journal-");

const dump = () => clusterDump(config, LLAMASTACK.namespace, false);

beforeAll(async () => {
  await deployOperator();
});

afterAll(async () => {
  await undeployLlamastack(lab.kubeconfig);
});

const CASES: { seed: Seed; what: RegExp }[] = [
  { seed: "label-stomping", what: /fieldEquals Deployment\/llamastack-sample/ },
  { seed: "owner-ref-orphan", what: /fieldEquals Deployment\/llamastack-sample/ },
  { seed: "resource-deletion", what: /Service\/llamastack-sample-service/ },
  { seed: "secret-deletion", what: /fieldEquals Secret\/llamastack-sample-api-key/ },
  { seed: "finalizer-block", what: /Deployment\/llamastack-sample/ },
  { seed: "crd-mutation", what: /fieldEquals Deployment\/llamastack-sample: expected "10", got "0"/ },
];

describe.each(CASES)("llamastack $seed (its experiment in experiments/llamastack)", ({ seed, what }) => {
  it("is Resilient against the operator as shipped", { timeout: 300_000 }, async () => {
    await deployOperator();
    const { code, report } = await runSeed(seed);
    expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
    expect(code).toBe(0);
    expect(report.timeline?.some((event) => event.type === "injectionConfirmed")).toBe(true);
  });

  it(`is Failed with ${SWITCH_FOR_EXPERIMENT[seed]}, and the revert leaves the namespace as it was (or keeps the operator's own copy)`, { timeout: 300_000 }, async () => {
    await deployOperator(seed);
    const before = await dump();
    const { code, report } = await runSeed(seed, SHORT_TIMEOUT);
    expect(report.evaluation.verdict).toBe("Failed");
    expect(code).toBe(1);
    expect(report.evaluation.reasons?.join("; ")).toMatch(what);
    const after = await dump();
    const differences = dumpDifferences(before, after, churn);
    if (seed === "finalizer-block") {
      // The fault asked for the deletion; the revert removed only its finalizer, so the deletion finished
      // and the broken operator never recreated the Deployment: that is the only difference.
      expect(differences.filter((line) => !line.includes("deployments/llamastack-sample"))).toEqual([]);
      expect(differences).toContain(`${LLAMASTACK.namespace}:apps/v1/deployments/llamastack-sample: missing after`);
    } else if (seed === "secret-deletion") {
      // The broken operator regenerated the Secret: its (new) value is kept, not overwritten by the backup.
      expect(differences.filter((line) => !line.includes("secrets/llamastack-sample-api-key"))).toEqual([]);
      expect(differences.some((line) => line.includes("secrets/llamastack-sample-api-key.data.api-key"))).toBe(true);
    } else {
      expect(differences).toEqual([]);
    }
  });
});

describe("object faults: bad input is refused before anything changes", () => {
  it("names a missing object, an unserved kind and a label that is not there", { timeout: 180_000 }, async () => {
    const before = await dump();
    const cases: [string, string[], RegExp][] = [
      ["owner-ref-orphan", ["--set", "injection.parameters.name=no-such-deployment"], /Deployment opendatahub\/no-such-deployment does not exist/],
      ["resource-deletion", ["--set", "injection.parameters.kind=NoSuchKind"], /does not serve kind NoSuchKind in v1/],
      ["label-stomping", ["--set", "injection.parameters.action=delete", "--set", "injection.parameters.labelKey=app.kubernetes.io/no-such-label"], /has no label app.kubernetes.io\/no-such-label/],
    ];
    for (const [seed, extra, message] of cases) {
      const { report } = await runSeed(seed as Seed, extra);
      expect(report.evaluation.verdict).not.toBe("Resilient");
      expect((report as ExperimentReport & { error?: string }).error).toMatch(message);
    }
    const outside = parse(readFileSync(join(projectRoot(), "experiments", "llamastack", "secret-deletion.yaml"), "utf8")) as { spec: { injection: { parameters: Record<string, string> } } };
    outside.spec.injection.parameters.namespace = "elsewhere";
    const secretRefused = await runCli(["validate", writeTemp("outside.yaml", outside)], lab.kubeconfig);
    expect(secretRefused.code).not.toBe(0);
    expect(secretRefused.stdout + secretRefused.stderr).toMatch(/not in blastRadius.allowedNamespaces/);
    expect(dumpDifferences(before, await dump(), churn)).toEqual([]);
    expect(await rest.get(`/api/v1/namespaces/${LLAMASTACK.namespace}/secrets/llamastack-sample-api-key`)).toBeTruthy();
  });
});

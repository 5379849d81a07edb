// The experiments of experiments/llamastack/ for DeploymentScaleZero, CrashLoopInject, ImageCorrupt,
// LeaderElectionDisrupt and NamespaceDeletion against the demo llamastack operator: Resilient as
// shipped (and the operator's log shows it did the repair), and Failed — with the reason — with the
// one switch that breaks what the experiment tests.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { SERVER_COMMAND } from "../examples/llamastack/operator/desired.js";
import { NAMES } from "../examples/llamastack/operator/settings.js";
import { SWITCH_FOR_EXPERIMENT } from "../examples/llamastack/switches.js";
import { KubeRest } from "../src/kube/rest.js";
import { projectRoot } from "../src/lab/paths.js";
import type { ExperimentReport } from "../src/report/model.js";
import { runCli } from "./support/cli.js";
import { labClients } from "./support/cluster.js";

const { lab, config } = labClients();
const rest = new KubeRest(config);

type Experiment = "deployment-scale-zero" | "crash-loop-inject" | "image-corrupt" | "leader-election-disrupt" | "namespace-deletion";

async function deploy(brokenFor?: Experiment): Promise<string> {
  const { pod } = await deployLlamastack(lab.kubeconfig, { switches: brokenFor ? { [SWITCH_FOR_EXPERIMENT[brokenFor]]: "true" } : {} });
  return pod;
}

async function runExperiment(name: Experiment, extra: string[] = []): Promise<{ code: number | null; report: ExperimentReport }> {
  const file = join(projectRoot(), "experiments", "llamastack", `${name}.yaml`);
  const result = await runCli(["run", file, "-o", "json", "--stability-window", "2s", ...extra], lab.kubeconfig);
  expect(result.stdout, result.stderr).toMatch(/^\{/);
  return { code: result.code, report: JSON.parse(result.stdout) as ExperimentReport };
}

/** A broken operator never repairs: no need to wait out the experiment's whole recovery timeout. */
const SHORT = ["--set", "hypothesis.recoveryTimeout=15s"];

async function operatorLog(pod: string): Promise<string> {
  const result = await runCli(["lab", "logs", pod, "-n", LLAMASTACK.namespace, "--name", lab.name], lab.kubeconfig);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

interface Deployment { spec: { replicas: number; template: { spec: { containers: { image: string; command?: string[] }[] } } } }
const sample = () => rest.get<Deployment>(`/apis/apps/v1/namespaces/${LLAMASTACK.namespace}/deployments/${LLAMASTACK.sampleDistribution}`);

afterAll(async () => {
  await undeployLlamastack(lab.kubeconfig);
  await rest.delete(`/api/v1/namespaces/${NAMES.workspaceNamespace}`).catch(() => {});
});

const CASES: { experiment: Experiment; repaired: RegExp; evidence?: RegExp; after: () => Promise<void>; failed: RegExp; brokenLog: RegExp }[] = [
  {
    experiment: "deployment-scale-zero",
    repaired: /updated deployment/,
    after: async () => expect((await sample()).spec.replicas).toBe(1),
    failed: /fieldEquals Deployment\/llamastack-sample: expected "1", got "0"/,
    brokenLog: /brokenBy=LLAMASTACK_IGNORE_REPLICA_DRIFT/,
  },
  {
    experiment: "crash-loop-inject",
    repaired: /updated deployment/,
    after: async () => expect((await sample()).spec.template.spec.containers[0]!.command).toEqual([...SERVER_COMMAND]),
    failed: /fieldEquals Deployment\/llamastack-sample: expected .*llama.*got .*chaos-nonexistent-binary/,
    brokenLog: /brokenBy=LLAMASTACK_IGNORE_COMMAND_DRIFT/,
  },
  {
    experiment: "image-corrupt",
    repaired: /updated deployment/,
    after: async () => expect((await sample()).spec.template.spec.containers[0]!.image).toBe("docker.io/llamastack/distribution-starter:0.2.15"),
    failed: /fieldEquals Deployment\/llamastack-sample: expected "docker.io\/llamastack\/distribution-starter:0.2.15", got "registry.invalid\/nonexistent:chaos"/,
    brokenLog: /brokenBy=LLAMASTACK_IGNORE_IMAGE_DRIFT/,
  },
  {
    experiment: "leader-election-disrupt",
    repaired: /became leader .*how="?recreated its deleted lease/,
    evidence: /re-acquired by the same holder "llamastack-controller-manager-[^"]+" \d+ ms after the deletion/,
    after: async () => {
      const lease = await rest.get<{ spec: { holderIdentity?: string } }>(`/apis/coordination.k8s.io/v1/namespaces/${LLAMASTACK.namespace}/leases/${LLAMASTACK.lease}`);
      expect(lease.spec.holderIdentity).toMatch(/^llamastack-controller-manager-/);
    },
    failed: /resourceExists Lease\/llamastack-controller-manager-leader-election: resource not found/,
    brokenLog: /the lease is gone; leading on without it/,
  },
  {
    experiment: "namespace-deletion",
    repaired: /recreated the workspace namespace[\s\S]*created the model catalog/,
    after: async () => {
      const catalog = await rest.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${NAMES.workspaceNamespace}/configmaps/${NAMES.modelCatalog}`);
      expect(Object.keys(catalog.data)).toEqual([NAMES.modelCatalogKey]);
    },
    failed: /fieldEquals Namespace\/llamastack-models: (resource not found|expected "Active", got "Terminating")/,
    brokenLog: /workspace namespace is gone; not recreating it/,
  },
];

for (const testCase of CASES) {
  describe(`llamastack ${testCase.experiment} (experiments/llamastack/${testCase.experiment}.yaml)`, () => {
    it("is Resilient against the operator as shipped, which did the repair itself", async () => {
      const pod = await deploy();
      const { code, report } = await runExperiment(testCase.experiment);
      expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Resilient");
      expect(code).toBe(0);
      expect(report.timeline?.some((event) => event.type === "injectionConfirmed")).toBe(true);
      // The fault bit (the repair check went red) and came back before the tool's own revert.
      const transitions = (report.timeline ?? []).filter((event) => event.type === "checkTransition") as unknown as { at: number; passed: boolean }[];
      const broke = transitions.find((event) => !event.passed);
      expect(broke, "the fault was observed").toBeDefined();
      expect(transitions.some((event) => event.passed && event.at >= broke!.at)).toBe(true);
      expect(await operatorLog(pod)).toMatch(testCase.repaired);
      if (testCase.evidence) {
        const confirmed = report.timeline?.find((event) => event.type === "injectionConfirmed") as { evidence?: string } | undefined;
        expect(confirmed?.evidence).toMatch(testCase.evidence);
      }
      await testCase.after();
    });

    it(`is Failed with ${SWITCH_FOR_EXPERIMENT[testCase.experiment]}: the operator leaves it broken`, async () => {
      const pod = await deploy(testCase.experiment);
      const { code, report } = await runExperiment(testCase.experiment, SHORT);
      expect(report.evaluation.verdict, report.evaluation.reasons?.join("; ")).toBe("Failed");
      expect(code).toBe(1);
      expect(report.evaluation.reasons?.[0]).toMatch(testCase.failed);
      expect(await operatorLog(pod)).toMatch(testCase.brokenLog);
    });
  });
}

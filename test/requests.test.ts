// API requests per seed experiment, counted by the API server itself: the CLI runs as a
// ServiceAccount the lab audits (src/lab/audit.ts), each of the four seed experiments once against
// the demo llamastack operator as shipped. The server's count must equal the CLI's own
// (report.apiRequests), hold the fault's own mutation, and stay within the budget below. The
// figures themselves are printed by `node bench/requests.bench.mjs`.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployLlamastack, LLAMASTACK, undeployLlamastack } from "../examples/llamastack/deploy.js";
import { KubeRest } from "../src/kube/rest.js";
import { auditedRequests, auditedUser, auditMark, tallyRequests, type AuditedRequest, type AuditedUser } from "../src/lab/audit.js";
import { projectRoot } from "../src/lab/paths.js";
import type { ExperimentReport } from "../src/report/model.js";
import { runCli } from "./support/cli.js";
import { labClients } from "./support/cluster.js";

const { lab, config } = labClients();
const rest = new KubeRest(config);
let user: AuditedUser;

/**
 * Requests a seed run may send (hold 10 s, stability window 3 s). Not a timing figure: a count
 * that only a change of the engine moves; the issue's goal (the Go tool's 8–10) is in the bench.
 */
const BUDGET = 50;

beforeAll(async () => {
  await deployLlamastack(lab.kubeconfig, { switches: {} });
  user = await auditedUser(lab, rest, "cli");
});

afterAll(async () => {
  await undeployLlamastack(lab.kubeconfig);
  rest.close();
});

async function measure(seed: string): Promise<{ report: ExperimentReport & { apiRequests?: number }; requests: AuditedRequest[] }> {
  const mark = await auditMark(lab);
  const file = join(projectRoot(), "experiments", "llamastack", `${seed}.yaml`);
  const result = await runCli(["run", file, "-o", "json", "--hold", "10s", "--stability-window", "3s"], user.kubeconfig);
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as ExperimentReport & { apiRequests?: number };
  const requests = await auditedRequests(lab, user.username, mark);
  process.stderr.write(`${seed}: ${requests.length} requests\n${tallyRequests(requests).map(([k, n]) => `  ${n} ${k}`).join("\n")}\n`);
  return { report, requests };
}

const fromNamespace = (requests: AuditedRequest[], verb: string, resource: string) =>
  requests.filter((r) => r.verb === verb && r.resource === resource && r.namespace === LLAMASTACK.namespace);

describe("API requests of the seed experiments, counted by the API server", () => {
  it.each([
    ["pod-kill", "delete", "pods"],
    ["config-drift", "update", "configmaps"],
    ["network-partition", "create", "networkpolicies"],
    ["rbac-revoke", "update", "clusterrolebindings"],
  ])("%s: the server saw every request the CLI counted, the fault among them, within the budget", async (seed, verb, resource) => {
    const { report, requests } = await measure(seed);
    expect(report.evaluation.verdict).toBe("Resilient");
    expect(requests.length).toBeGreaterThan(0);
    // Every request the CLI counted, plus the result ConfigMap it writes after the report is made.
    expect(requests.length).toBe((report.apiRequests ?? 0) + 1);
    expect(requests.at(-1)).toMatchObject({ verb: "create", resource: "configmaps", namespace: LLAMASTACK.namespace });
    const mutation = resource === "clusterrolebindings"
      ? requests.filter((r) => r.verb === verb && r.resource === resource)
      : fromNamespace(requests, verb, resource);
    expect(mutation.length).toBeGreaterThan(0);
    // The journal record is written before the mutation it records.
    const firstRecord = requests.findIndex((r) => r.verb === "create" && r.resource === "configmaps");
    expect(firstRecord).toBeGreaterThanOrEqual(0);
    expect(firstRecord).toBeLessThan(requests.indexOf(mutation[0]!));
    expect(requests.length).toBeLessThanOrEqual(BUDGET);
  });
});

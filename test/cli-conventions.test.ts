// The kubectl-like conventions of the cluster commands, against the lab: `-o yaml` carries the same
// object as `-o json`, `version` shows the API server's version, `-v 6` logs every API request and
// `--request-timeout` reaches the transport. No operator is needed: what is compared is the output.

import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { freshNamespace, labClients } from "./support/cluster.js";
import { runCli } from "./support/cli.js";

const { lab, core } = labClients();
let namespace: string;

beforeAll(async () => {
  namespace = await freshNamespace(core, "cli-conv");
});

/** Both renderings of one command; the same object and exit status are expected. */
async function bothFormats(args: string[]) {
  const json = await runCli([...args, "-o", "json"], lab.kubeconfig);
  const yaml = await runCli([...args, "-o", "yaml"], lab.kubeconfig);
  return { json, yaml, jsonObject: JSON.parse(json.stdout) as unknown, yamlObject: parse(yaml.stdout) as unknown };
}

describe("cluster commands, -o yaml against -o json", () => {
  it.each([
    ["version"],
    ["clean", "-n", "<ns>", "--dry-run"],
    ["preflight", "--profile", "llamastack-demo", "-n", "<ns>"],
    ["validate-version", "--knowledge-dir", "profiles/llamastack-demo/knowledge"],
  ])("%s: the same object and exit status", async (...args) => {
    const { json, yaml, jsonObject, yamlObject } = await bothFormats(args.map((arg) => (arg === "<ns>" ? namespace : arg)));
    expect(yaml.code).toBe(json.code);
    expect(jsonObject).not.toBeNull();
    expect(yamlObject).toEqual(jsonObject);
  });
});

/** A report without what differs between two runs of the same experiment: instants and durations. */
function timeless(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(timeless);
  if (typeof value === "string") return value.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<instant>").replace(/\d+(\.\d+)?\s*(ms|s)\b/g, "<duration>");
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !["at", "time", "timestamp", "durationMs", "apiRequests", "elapsedMs"].includes(key)).map(([key, child]) => [key, timeless(child)]));
}

describe("run, -o yaml against -o json", () => {
  it("a dry run against a missing object: the same report (but for its instants) and exit status", async () => {
    // Two runs, so instants differ; everything else of the report must be the same object.
    const { json, yaml, jsonObject, yamlObject } = await bothFormats(["run", "experiments/llamastack/config-drift.yaml", "--dry-run", "-n", namespace]);
    expect(json.code).toBe(1);
    expect(yaml.code).toBe(json.code);
    expect((jsonObject as { experiment: string }).experiment).toBe("llamastack-config-drift");
    expect(timeless(yamlObject)).toEqual(timeless(jsonObject));
    // Only the report on stdout; progress is off with a structured format.
    expect(yaml.stderr).toBe(json.stderr);
  });
});

describe("version", () => {
  it("shows the lab's API server version, as text and as JSON", async () => {
    const text = await runCli(["version"], lab.kubeconfig);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^operator-chaos version \S+\nserver: v1\.\d+\.\d+\S* \(\S+\)\n$/);
    const json = JSON.parse((await runCli(["version", "-o", "json"], lab.kubeconfig)).stdout) as { server?: { gitVersion: string } };
    expect(json.server?.gitVersion).toMatch(/^v1\.\d+/);
  });
});

describe("-v and --request-timeout", () => {
  it("-v 6 logs each API request with method, URL, status and time on stderr; without it, nothing", async () => {
    const verbose = await runCli(["version", "-v", "6"], lab.kubeconfig);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/^I \S+ GET https:\/\/\S+\/version 200 in \d+ milliseconds$/m);
    const quiet = await runCli(["clean", "-n", namespace, "--dry-run"], lab.kubeconfig);
    expect(quiet.stderr).not.toMatch(/ milliseconds$/m);
    const logged = await runCli(["clean", "-n", namespace, "--dry-run", "-v", "7"], lab.kubeconfig);
    expect(logged.code).toBe(quiet.code);
    expect(logged.stderr).toMatch(new RegExp(`^I \\S+ GET https://\\S+/namespaces/${namespace}/\\S* \\d{3} in \\d+ milliseconds$`, "m"));
  });

  it("refuses a malformed --request-timeout on a cluster command with status 2", async () => {
    const result = await runCli(["clean", "-n", namespace, "--request-timeout", "soon"], lab.kubeconfig);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--request-timeout");
  });
});

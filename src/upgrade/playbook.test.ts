import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../experiment/diagnostic.js";
import { orderSteps, parsePlaybook, type PlaybookStep } from "./playbook.js";
import { newState, planRun, stateConfigMapName, withFailed, withFinished, withRunning, StepOutcome } from "./playbook-state.js";

const errors = (text: string) => {
  const parsed = parsePlaybook(text, "pb.yaml");
  if (parsed.ok) throw new Error("expected errors");
  return parsed.diagnostics.map(formatDiagnostic);
};

const CHAOS = `apiVersion: chaos.operatorchaos.io/v1alpha1
kind: ChaosPlaybook
metadata:
  name: demo
  description: apply, then chaos
chaos:
  knowledgeDir: knowledge
  steps:
    - name: chaos
      type: chaos
      dependsOn: [apply]
      experiments: [drift.yaml]
    - name: apply
      type: manifests
      path: deploy/
`;

const UPGRADE = `kind: UpgradePlaybook
metadata: {name: op-1-to-2, description: d}
upgrade:
  source: {knowledgeDir: v1, version: "1"}
  target: {knowledgeDir: v2, version: "2"}
  path: {operator: op, namespace: ns, hops: [{channel: stable-2}]}
  steps:
    - {name: validate-source, type: validate-version}
    - {name: trigger-upgrade, type: olm}
    - {name: validate-target, type: validate-version, dependsOn: trigger-upgrade}
`;

describe("playbook format", () => {
  it("reads a ChaosPlaybook and orders the steps by dependsOn (ties by file order)", () => {
    const parsed = parsePlaybook(CHAOS, "pb.yaml");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.kind).toBe("ChaosPlaybook");
    expect(parsed.value.steps.map((step) => step.name)).toEqual(["apply", "chaos"]);
  });

  it("reads an UpgradePlaybook with the legacy single path; an empty kind is an upgrade", () => {
    const parsed = parsePlaybook(UPGRADE.replace("kind: UpgradePlaybook\n", ""), "pb.yaml");
    expect(parsed.ok && parsed.value.kind).toBe("UpgradePlaybook");
    expect(parsed.ok && parsed.value.steps.map((step) => step.name)).toEqual(["validate-source", "trigger-upgrade", "validate-target"]);
  });

  it("an unknown step type is an error at its line and column, listing the types", () => {
    const [message, ...rest] = errors(CHAOS.replace("type: manifests", "type: helm"));
    expect(rest).toEqual([]);
    expect(message).toMatch(/^pb\.yaml:14:13: chaos\.steps\[1\]\.type: .*"helm"/);
    expect(message).toContain("manifests");
  });

  it("a dependency cycle is an error naming the cycle, at the dependsOn of its first step", () => {
    const cyclic = CHAOS.replace("      path: deploy/\n", "      path: deploy/\n      dependsOn: chaos\n");
    expect(errors(cyclic)).toEqual(["pb.yaml:11:18: chaos.steps[0].dependsOn: dependency cycle: chaos → apply → chaos"]);
  });

  it("dependsOn naming no step, duplicate names, missing fields and unknown fields are positioned errors", () => {
    expect(errors(CHAOS.replace("dependsOn: [apply]", "dependsOn: [aply]"))).toEqual([
      expect.stringMatching(/^pb\.yaml:11:19: chaos\.steps\[0\]\.dependsOn\[0\]: dependsOn names no step: "aply"/),
    ]);
    expect(errors(CHAOS.replace("name: apply", "name: chaos")).join("\n")).toContain('duplicate step name "chaos" (first used by step 1)');
    expect(errors(CHAOS.replace("      path: deploy/\n", ""))).toEqual([expect.stringMatching(/^pb\.yaml:\d+:\d+: chaos\.steps\[1\]\.path: .*a manifests step needs path/)]);
    expect(errors(CHAOS.replace("      experiments: [drift.yaml]\n", "      experiment: [drift.yaml]\n")).join("\n")).toMatch(/pb\.yaml:12:7: chaos\.steps\[0\]\.experiment/);
    expect(errors(CHAOS.replace("  description: apply, then chaos\n", "")).join("\n")).toMatch(/metadata\.description/);
    expect(errors(CHAOS.replace("ChaosPlaybook", "UpgradePlaybook")).join("\n")).toContain("an UpgradePlaybook needs an upgrade: section");
    expect(errors(CHAOS.replace("chaos.operatorchaos.io/v1alpha1", "v1")).join("\n")).toMatch(/^pb\.yaml:1:13: apiVersion/);
    expect(errors("a: [\n")[0]).toMatch(/^pb\.yaml:\d+:\d+:/);
  });

  it("a wait step needs waitFor; with it, it is valid", () => {
    const wait = CHAOS.replace("      path: deploy/\n", "      path: deploy/\n    - name: settled\n      type: wait\n      timeout: 30s\n");
    expect(errors(wait)).toEqual([expect.stringMatching(/^pb\.yaml:16:\d+: chaos\.steps\[2\]\.waitFor: .*a wait step needs waitFor/)]);
    const complete = wait.replace("      timeout: 30s\n", "      timeout: 30s\n      waitFor: {apiVersion: apps/v1, kind: Deployment, name: d, namespace: ns, conditionType: Available}\n");
    expect(parsePlaybook(complete, "pb.yaml").ok).toBe(true);
    expect(errors(complete.replace("timeout: 30s", "timeout: soon"))).toEqual([expect.stringMatching(/chaos\.steps\[2\]\.timeout: .*not a duration/)]);
  });

  it("an olm step needs paths, and pathRef when there are several", () => {
    expect(errors(UPGRADE.replace(/  path: .*\n/, "")).join("\n")).toContain("an olm step needs upgrade.paths");
    const two = UPGRADE.replace(/  path: (.*)\n/, "  paths:\n    - $1\n    - {operator: other, namespace: ns, hops: [{channel: c}]}\n");
    expect(errors(two).join("\n")).toContain("with 2 upgrade paths an olm step needs pathRef");
    expect(parsePlaybook(two.replace("type: olm}", "type: olm, pathRef: other}"), "pb.yaml").ok).toBe(true);
  });

  it("orderSteps keeps file order when nothing depends on anything", () => {
    const steps = ["a", "b", "c"].map((name) => ({ name, type: "manual" }) as PlaybookStep);
    expect(orderSteps(steps).map((s) => s.name)).toEqual(["a", "b", "c"]);
    expect(orderSteps([{ ...steps[0]!, dependsOn: ["c"] }, steps[1]!, steps[2]!]).map((s) => s.name)).toEqual(["b", "c", "a"]);
  });
});

describe("playbook state and resume", () => {
  const steps = ["apply", "chaos", "validate"].map((name) => ({ name, type: "manual" }) as PlaybookStep);
  const t = new Date("2026-01-01T00:00:00Z");

  it("a fresh run runs everything", () => {
    expect(planRun(steps, undefined)).toEqual({ ok: true, plan: { run: steps, skip: [] } });
  });

  it("after a crash in step 2: step 1 is skipped, step 2 is the interrupted one and runs again", () => {
    let state = newState("demo", t);
    state = withFinished(withRunning(state, "apply", t), "apply", StepOutcome.Completed, t);
    state = withRunning(state, "chaos", t);
    const decision = planRun(steps, state);
    expect(decision.ok && decision.plan.run.map((s) => s.name)).toEqual(["chaos", "validate"]);
    expect(decision.ok && decision.plan.skip.map((s) => s.step.name)).toEqual(["apply"]);
    expect(decision.ok && decision.plan.interrupted).toBe("chaos");
  });

  it("after a failure: refused without --resume-from; --resume-from must name the failed step unless forced", () => {
    const state = withFailed(withFinished(newState("demo", t), "apply", StepOutcome.Completed, t), "chaos", "verdict Failed", t);
    expect(planRun(steps, state)).toEqual({ ok: false, error: expect.stringContaining('failed at step "chaos" (verdict Failed): rerun with --resume-from chaos') });
    expect(planRun(steps, state, { resumeFrom: "validate" })).toEqual({ ok: false, error: expect.stringContaining("add --force-resume") });
    const forced = planRun(steps, state, { resumeFrom: "validate", forceResume: true });
    expect(forced.ok && forced.plan.run.map((s) => s.name)).toEqual(["validate"]);
    expect(planRun(steps, state, { resumeFrom: "nope" })).toEqual({ ok: false, error: expect.stringContaining('no step "nope"') });
    expect(withRunning(state, "chaos", t).failedStep).toBeUndefined();
  });

  it("state ConfigMap names are DNS names", () => {
    expect(stateConfigMapName("My Playbook_v1.2")).toBe("operator-chaos-playbook-my-playbook-v1-2");
  });
});

describe("generate upgrade | chaos", async () => {
  const { stringify } = await import("yaml");
  const path = await import("node:path");
  const { packageRoot } = await import("../experiment/package-root.js");
  const { loadKnowledgeVersion } = await import("./sources.js");
  const { chaosPlaybook, fileDanger, upgradePlaybook } = await import("./playbook-generate.js");
  const testdata = path.join(packageRoot(), "src", "upgrade", "testdata");
  const v1 = (await loadKnowledgeVersion("--source", path.join(testdata, "v1", "knowledge"))).models;
  const v2 = (await loadKnowledgeVersion("--target", path.join(testdata, "v2", "knowledge"))).models;

  it("generate upgrade: validate-source → upgrade → validate-target, a playbook that validates (olm and manifests forms)", () => {
    for (const manifests of [undefined, "deploy/v2"]) {
      const playbook = upgradePlaybook({ sourceDir: "v1", targetDir: "v2", source: v1, target: v2, ...(manifests ? { manifests } : {}) });
      const parsed = parsePlaybook(stringify(playbook), "generated.yaml");
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.value.playbook.metadata.name).toMatch(/^demo-operator-1\.0\.0-to-\S+$/);
      expect(parsed.value.steps.map((step) => `${step.name}:${step.type}`)).toEqual(
        ["validate-source:validate-version", manifests ? "upgrade:manifests" : "trigger-upgrade:olm", `validate-target:validate-version`]);
    }
  });

  it("generate chaos: preflight → a chaos step per known component (sorted, chained) → cleanup; the danger filter by file name", () => {
    const experiments = new Map([["stack", ["rbac-revoke.yaml", "pod-kill.yaml", "config-drift.yaml"]], ["unknown", ["pod-kill.yaml"]]]);
    const all = chaosPlaybook({ knowledgeDir: "k", models: v1, experimentsDir: "exp/", experiments });
    const parsed = parsePlaybook(stringify(all), "chaos.yaml");
    expect(parsed.ok).toBe(true);
    expect(all.chaos!.steps.map((step) => step.name)).toEqual(["preflight", "chaos-stack", "cleanup"]);
    expect(all.chaos!.steps[1]!.experiments).toEqual(["exp/stack/config-drift.yaml", "exp/stack/pod-kill.yaml", "exp/stack/rbac-revoke.yaml"]);
    expect(all.chaos!.steps[2]!.commands).toEqual(["operator-chaos clean --namespace demo-system"]);
    expect(all.metadata.name).toBe("chaos-demo-operator");
    const low = chaosPlaybook({ knowledgeDir: "k", models: v1, experimentsDir: "exp", experiments, danger: "low" });
    expect(low.chaos!.steps[1]!.experiments).toEqual(["exp/stack/pod-kill.yaml"]);
    expect([fileDanger("a/webhook-disrupt.yaml"), fileDanger("network-partition.yml"), fileDanger("controller-kill.yaml")]).toEqual(["high", "medium", "low"]);
    expect(stringify(chaosPlaybook({ knowledgeDir: "k", models: v1, experimentsDir: "exp", experiments }))).toBe(stringify(all)); // deterministic
  });
});

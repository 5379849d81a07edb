// `generate upgrade` and `generate chaos`: playbook skeletons from knowledge models (go-tool-breadth.md
// §6), to review before use. Ours differs where the Go tool is not deterministic (its chaos steps follow
// Go map order; here component names are sorted) and adds the manifests step for upgrades without OLM.
// Pure: models and file names in, a playbook document out.

import type { OperatorKnowledge } from "../experiment/knowledge.js";
import { PLAYBOOK_API_VERSION, PlaybookKind, StepType, type Playbook, type PlaybookStep } from "./playbook.js";

export interface UpgradeSkeletonInput {
  readonly sourceDir: string;
  readonly targetDir: string;
  readonly source: readonly OperatorKnowledge[];
  readonly target: readonly OperatorKnowledge[];
  readonly operator?: string;
  readonly namespace?: string;
  /** Upgrade by applying this folder of manifests (ours) instead of an OLM channel hop. */
  readonly manifests?: string;
}

const firstVersion = (models: readonly OperatorKnowledge[]) => models.find((model) => model.operator.version)?.operator.version ?? "unknown";

export function upgradePlaybook(input: UpgradeSkeletonInput): Playbook {
  const operator = input.operator ?? input.target[0]?.operator.name ?? input.source[0]?.operator.name ?? "operator";
  const from = firstVersion(input.source);
  const to = firstVersion(input.target);
  const upgradeStep: PlaybookStep = input.manifests
    ? { name: "upgrade", type: StepType.Manifests, path: input.manifests, dependsOn: ["validate-source"] }
    : { name: "trigger-upgrade", type: StepType.Olm, dependsOn: ["validate-source"] };
  return {
    apiVersion: PLAYBOOK_API_VERSION,
    kind: PlaybookKind.Upgrade,
    metadata: { name: `${operator}-${from}-to-${to}`, description: `# REVIEW: upgrade ${operator} from ${from} to ${to}; check every step before running it` },
    upgrade: {
      source: { knowledgeDir: input.sourceDir, version: from },
      target: { knowledgeDir: input.targetDir, version: to },
      ...(input.manifests ? {} : {
        path: { operator, namespace: input.namespace ?? "openshift-operators", hops: [{ channel: "REVIEW-add-target-channel", maxWait: "20m" }] },
      }),
      steps: [
        { name: "validate-source", type: StepType.ValidateVersion, knowledgeDir: input.sourceDir },
        upgradeStep,
        { name: "validate-target", type: StepType.ValidateVersion, knowledgeDir: input.targetDir, dependsOn: [upgradeStep.name] },
      ],
    },
  };
}

export const DangerLevel = { Low: "low", Medium: "medium", High: "high", All: "all" } as const;
export type DangerLevel = (typeof DangerLevel)[keyof typeof DangerLevel];

/** The Go tool's danger of an experiment file, judged by its name. */
export function fileDanger(file: string): "low" | "medium" | "high" {
  const base = file.replace(/^.*[/\\]/, "").replace(/\.ya?ml$/, "");
  if (["webhook-disrupt", "rbac-revoke"].includes(base)) return "high";
  if (["pod-kill", "controller-kill"].includes(base)) return "low";
  return "medium";
}

export function keptByDanger(file: string, level: DangerLevel): boolean {
  const danger = fileDanger(file);
  if (level === DangerLevel.Low) return danger === "low";
  if (level === DangerLevel.Medium) return danger !== "high";
  return true;
}

export interface ChaosSkeletonInput {
  readonly knowledgeDir: string;
  readonly models: readonly OperatorKnowledge[];
  readonly experimentsDir: string;
  /** Experiment files per sub-folder name of experimentsDir (file names relative to it). */
  readonly experiments: ReadonlyMap<string, readonly string[]>;
  readonly danger?: DangerLevel;
}

export function chaosPlaybook(input: ChaosSkeletonInput): Playbook {
  const operators = [...new Set(input.models.map((model) => model.operator.name))].sort();
  const components = new Set(input.models.flatMap((model) => model.components.map((component) => component.name)));
  const steps: PlaybookStep[] = [{ name: "preflight", type: StepType.ValidateVersion, knowledgeDir: input.knowledgeDir }];
  for (const component of [...input.experiments.keys()].filter((name) => components.has(name)).sort()) {
    const files = (input.experiments.get(component) ?? []).filter((file) => keptByDanger(file, input.danger ?? DangerLevel.All)).sort();
    if (files.length === 0) continue;
    steps.push({
      name: `chaos-${component}`, type: StepType.Chaos, dependsOn: [steps.at(-1)!.name],
      experiments: files.map((file) => `${input.experimentsDir.replace(/\/+$/, "")}/${component}/${file}`),
    });
  }
  const namespace = input.models.find((model) => model.operator.namespace)?.operator.namespace;
  steps.push({
    name: "cleanup", type: StepType.Kubectl, dependsOn: [steps.at(-1)!.name],
    commands: [`operator-chaos clean${namespace ? ` --namespace ${namespace}` : ""}`],
  });
  return {
    apiVersion: PLAYBOOK_API_VERSION,
    kind: PlaybookKind.Chaos,
    metadata: { name: `chaos-${operators.join("-") || "platform"}`, description: `# REVIEW: chaos experiments for ${operators.join(", ") || "the platform"}` },
    chaos: { knowledgeDir: input.knowledgeDir, steps },
  };
}

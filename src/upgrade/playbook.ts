// Upgrade and chaos playbooks: the Go tool's UpgradePlaybook / ChaosPlaybook format (go-tool-breadth.md §6)
// plus our `manifests` step (apply a folder of the new version's manifests and wait for its rollout, for
// operators installed without OLM). The zod schema is the format; the rules beyond the shape (unique
// names, dependsOn targets, cycles, OLM paths) and the step order live here too. Pure: text in, a
// playbook or positioned diagnostics out.

import { z } from "zod";
import type { Diagnostic, Issue, IssuePath } from "../experiment/diagnostic.js";
import { Duration } from "../experiment/duration.js";
import { parseYamlText, placeIssue } from "../experiment/load.js";
import { translateZodIssue } from "../experiment/schema-issues.js";

export const PLAYBOOK_API_VERSION = "chaos.operatorchaos.io/v1alpha1";

export const PlaybookKind = { Upgrade: "UpgradePlaybook", Chaos: "ChaosPlaybook" } as const;
export type PlaybookKind = (typeof PlaybookKind)[keyof typeof PlaybookKind];

export const StepType = {
  ValidateVersion: "validate-version",
  Kubectl: "kubectl",
  Manual: "manual",
  Olm: "olm",
  Chaos: "chaos",
  Manifests: "manifests",
  Wait: "wait",
} as const;
export type StepType = (typeof StepType)[keyof typeof StepType];
const STEP_TYPES = Object.values(StepType) as [StepType, ...StepType[]];

const name = z.string().min(1);
/** The Go tool's dependsOn is a list; one name alone is accepted too. */
const dependsOn = z.union([name, z.array(name)]);

const VerifySchema = z.strictObject({
  type: z.literal("resourceExists"),
  apiVersion: name,
  kind: name,
  namespace: z.string().optional(),
  name: z.string().optional(),
  labelSelector: z.string().optional(),
});

/** wait (ours): an object exists, and has a condition True when conditionType is given. */
const WaitForSchema = z.strictObject({
  apiVersion: name,
  kind: name,
  name,
  namespace: z.string().optional(),
  conditionType: z.string().optional(),
});

export const PlaybookStepSchema = z.strictObject({
  name,
  type: z.enum(STEP_TYPES),
  description: z.string().optional(),
  knowledgeDir: z.string().optional(),
  dependsOn: dependsOn.optional(),
  /** olm: which path (operator name) when the playbook has several. */
  pathRef: z.string().optional(),
  /** kubectl: shell commands (run only with --allow-shell). */
  commands: z.array(z.string()).optional(),
  verify: VerifySchema.optional(),
  /** manual: a shell check that stands in for the operator's Enter with --skip-manual. */
  autoCheck: z.string().optional(),
  /** chaos: experiment files, relative to the playbook. */
  experiments: z.array(name).optional(),
  knowledge: z.string().optional(),
  /** manifests (ours): a file or folder of manifests, relative to the playbook. */
  path: z.string().optional(),
  waitFor: WaitForSchema.optional(),
  /** manifests: how long the applied Deployments may take to roll out; wait: how long to wait (default 5m). */
  timeout: z.string().optional(),
});
export type PlaybookStep = z.infer<typeof PlaybookStepSchema>;

const HopSchema = z.strictObject({ channel: name, maxWait: z.string().optional() });
const UpgradePathSchema = z.strictObject({
  name: z.string().optional(),
  operator: name,
  namespace: name,
  hops: z.array(HopSchema).min(1),
  dependsOn: dependsOn.optional(),
});
const VersionRefSchema = z.strictObject({ knowledgeDir: name, version: name });

export const PlaybookSchema = z.strictObject({
  apiVersion: z.literal(PLAYBOOK_API_VERSION).optional(),
  kind: z.enum([PlaybookKind.Upgrade, PlaybookKind.Chaos]).optional(),
  metadata: z.strictObject({ name, description: name }),
  upgrade: z.strictObject({
    source: VersionRefSchema,
    target: VersionRefSchema,
    path: UpgradePathSchema.optional(),
    paths: z.array(UpgradePathSchema).optional(),
    rollback: z.strictObject({ enabled: z.boolean().optional(), snapshotCRDs: z.boolean().optional(), maxRollbackWait: z.string().optional() }).optional(),
    steps: z.array(PlaybookStepSchema),
  }).optional(),
  chaos: z.strictObject({ knowledgeDir: z.string().optional(), steps: z.array(PlaybookStepSchema) }).optional(),
});
export type Playbook = z.infer<typeof PlaybookSchema>;

export interface LoadedPlaybook {
  readonly playbook: Playbook;
  readonly kind: PlaybookKind;
  /** The steps in the order they run (dependsOn first, ties by file order). */
  readonly steps: readonly PlaybookStep[];
  readonly warnings: readonly Diagnostic[];
}

export type PlaybookParse = { ok: true; value: LoadedPlaybook } | { ok: false; diagnostics: Diagnostic[] };

const issue = (path: IssuePath, message: string, code: string, expected?: string): Issue =>
  ({ path, message, code, severity: "error", ...(expected !== undefined ? { expected } : {}) });

export const dependencies = (step: Pick<PlaybookStep, "dependsOn">): string[] =>
  step.dependsOn === undefined ? [] : typeof step.dependsOn === "string" ? [step.dependsOn] : step.dependsOn;

/** Parses and checks a playbook file's text; `file` labels the diagnostics. */
export function parsePlaybook(text: string, file: string): PlaybookParse {
  const loaded = parseYamlText(text, file);
  const documents = loaded.documents.filter((document) => !document.empty);
  const yamlErrors = [...loaded.diagnostics, ...documents.flatMap((document) => document.diagnostics)].filter((d) => d.severity === "error");
  if (yamlErrors.length > 0) return { ok: false, diagnostics: yamlErrors };
  if (documents.length !== 1) {
    return { ok: false, diagnostics: [{ file, document: 0, line: 1, column: 1, path: "", severity: "error", code: "playbook.documents", message: `a playbook file holds exactly one YAML document, found ${documents.length}` }] };
  }
  const document = documents[0]!;
  const place = (found: Issue) => placeIssue(file, document, found);
  const parsed = PlaybookSchema.safeParse(document.value);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((zodIssue) => translateZodIssue(zodIssue, document.value, PlaybookSchema, new Map()));
    return { ok: false, diagnostics: issues.map(place) };
  }
  const playbook = parsed.data;
  const issues = playbookRuleIssues(playbook);
  if (issues.length > 0) return { ok: false, diagnostics: issues.map(place) };
  const kind = playbook.kind ?? PlaybookKind.Upgrade;
  return { ok: true, value: { playbook, kind, steps: orderSteps(stepsOf(playbook)), warnings: [] } };
}

export function stepsOf(playbook: Playbook): PlaybookStep[] {
  return (playbook.kind === PlaybookKind.Chaos ? playbook.chaos?.steps : playbook.upgrade?.steps) ?? [];
}

/** The UpgradePaths of an upgrade playbook, the legacy single `path` folded in. */
export function upgradePaths(playbook: Playbook): NonNullable<NonNullable<Playbook["upgrade"]>["paths"]> {
  return [...(playbook.upgrade?.path ? [playbook.upgrade.path] : []), ...(playbook.upgrade?.paths ?? [])];
}

/** The rules beyond the shape, each at the field it is about. */
export function playbookRuleIssues(playbook: Playbook): Issue[] {
  const issues: Issue[] = [];
  const kind = playbook.kind ?? PlaybookKind.Upgrade;
  const section = kind === PlaybookKind.Chaos ? "chaos" : "upgrade";
  if (kind === PlaybookKind.Chaos && !playbook.chaos) return [issue(["kind"], "a ChaosPlaybook needs a chaos: section", "playbook.section")];
  if (kind === PlaybookKind.Upgrade && !playbook.upgrade) return [issue(["kind"], "an UpgradePlaybook needs an upgrade: section (kind: ChaosPlaybook for a chaos: one)", "playbook.section")];
  const steps = stepsOf(playbook);
  if (steps.length === 0) issues.push(issue([section, "steps"], "at least one step is required", "playbook.steps"));
  const first = new Map<string, number>();
  steps.forEach((step, index) => {
    const at = (...rest: (string | number)[]) => [section, "steps", index, ...rest];
    if (first.has(step.name)) issues.push(issue(at("name"), `duplicate step name "${step.name}" (first used by step ${first.get(step.name)! + 1})`, "playbook.step.duplicate"));
    else first.set(step.name, index);
    switch (step.type) {
      case StepType.Kubectl:
        if ((step.commands ?? []).length === 0 && !step.verify) issues.push(issue(at("commands"), "a kubectl step needs commands or verify", "playbook.step.kubectl"));
        break;
      case StepType.Chaos:
        if ((step.experiments ?? []).length === 0) issues.push(issue(at("experiments"), "a chaos step needs at least one experiment file", "playbook.step.chaos"));
        break;
      case StepType.Manifests:
        if (!step.path) issues.push(issue(at("path"), "a manifests step needs path (a file or folder of manifests)", "playbook.step.manifests"));
        break;
      case StepType.Wait:
        if (!step.waitFor) issues.push(issue(at("waitFor"), "a wait step needs waitFor (apiVersion, kind, name, optional namespace and conditionType)", "playbook.step.wait"));
        break;
      case StepType.Olm: {
        const paths = upgradePaths(playbook);
        if (kind !== PlaybookKind.Upgrade || paths.length === 0) issues.push(issue(at("type"), "an olm step needs upgrade.paths (operator, namespace, at least one hop)", "playbook.step.olm"));
        else if (paths.length > 1 && !paths.some((p) => p.operator === step.pathRef)) issues.push(issue(at("pathRef"), `with ${paths.length} upgrade paths an olm step needs pathRef naming one of their operators`, "playbook.step.pathRef", paths.map((p) => p.operator).join(", ")));
        break;
      }
      default:
        break;
    }
    if (step.timeout !== undefined && !Duration.tryParse(step.timeout).ok) issues.push(issue(at("timeout"), "not a duration", "playbook.step.timeout", "a duration such as 90s or 5m"));
  });
  steps.forEach((step, index) => {
    dependencies(step).forEach((target, position) => {
      const where = [section, "steps", index, "dependsOn", ...(typeof step.dependsOn === "string" ? [] : [position])];
      if (!first.has(target)) issues.push(issue(where, `dependsOn names no step: "${target}"`, "playbook.step.dependsOn", [...first.keys()].join(", ")));
      else if (target === step.name) issues.push(issue(where, "a step cannot depend on itself", "playbook.step.dependsOn"));
    });
  });
  if (issues.length === 0) {
    const cycle = findCycle(steps);
    if (cycle) {
      const index = steps.findIndex((step) => step.name === cycle[0]);
      issues.push(issue([section, "steps", index, "dependsOn"], `dependency cycle: ${[...cycle, cycle[0]].join(" → ")}`, "playbook.step.cycle"));
    }
  }
  return issues;
}

/** A cycle of dependsOn edges (step names, in order), or undefined. */
export function findCycle(steps: readonly PlaybookStep[]): string[] | undefined {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (stepName: string): string[] | undefined => {
    if (state.get(stepName) === "done") return undefined;
    if (state.get(stepName) === "visiting") return stack.slice(stack.indexOf(stepName));
    state.set(stepName, "visiting");
    stack.push(stepName);
    for (const next of dependencies(byName.get(stepName) ?? {})) {
      if (!byName.has(next)) continue;
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(stepName, "done");
    return undefined;
  };
  for (const step of steps) {
    const found = visit(step.name);
    if (found) return found;
  }
  return undefined;
}

/** Kahn's order: a step after everything it depends on; among ready steps, file order first. */
export function orderSteps(steps: readonly PlaybookStep[]): PlaybookStep[] {
  const done = new Set<string>();
  const ordered: PlaybookStep[] = [];
  const pending = [...steps];
  while (pending.length > 0) {
    const index = pending.findIndex((step) => dependencies(step).every((name) => done.has(name) || !steps.some((s) => s.name === name)));
    if (index < 0) throw new Error(`dependency cycle among ${pending.map((step) => step.name).join(", ")}`);
    const [step] = pending.splice(index, 1);
    ordered.push(step!);
    done.add(step!.name);
  }
  return ordered;
}

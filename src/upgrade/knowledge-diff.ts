// Knowledge-model diff between two versions of an operator (no cluster): which components and managed
// resources were added, removed, renamed or moved, and which of those changes break an upgrade. The
// rename heuristics and breaking rules are the Go tool's (pkg/diff); unlike it, a matched component or
// resource without any change is left out, so a model diffed against itself yields nothing. Pure.

import type { KnowledgeComponent, ManagedResource, OperatorKnowledge } from "../experiment/knowledge.js";

export const ChangeType = { Added: "Added", Removed: "Removed", Renamed: "Renamed", Modified: "Modified", Moved: "Moved" } as const;
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];

/** Below this similarity two differently named things are not the same thing renamed. */
export const SIMILARITY_THRESHOLD = 0.6;

export interface FieldChange {
  readonly path: string;
  readonly oldValue: string;
  readonly newValue: string;
}

export interface ResourceDiff {
  readonly kind: string;
  readonly name: string;
  readonly changeType: ChangeType;
  readonly renamedFrom?: string;
  readonly movedFrom?: string;
  readonly fieldChanges?: FieldChange[];
}

export interface WebhookDiff {
  readonly name: string;
  readonly changeType: ChangeType;
  readonly oldType?: string;
  readonly newType?: string;
  readonly oldPath?: string;
  readonly newPath?: string;
}

export interface ItemDiff {
  readonly name: string;
  readonly changeType: ChangeType;
}

export interface ComponentDiff {
  readonly operator: string;
  readonly component: string;
  readonly changeType: ChangeType;
  readonly renamedFrom?: string;
  readonly namespaceChange?: { readonly from: string; readonly to: string };
  readonly resources: ResourceDiff[];
  readonly webhooks: WebhookDiff[];
  readonly finalizers: ItemDiff[];
  readonly dependencies: ItemDiff[];
  readonly breaking: boolean;
}

export interface DiffSummary {
  componentsAdded: number;
  componentsRemoved: number;
  componentsRenamed: number;
  namespaceMoves: number;
  resourceChanges: number;
  webhookChanges: number;
  finalizerChanges: number;
  dependencyChanges: number;
  breakingChanges: number;
}

export interface UpgradeDiff {
  readonly sourceVersion: string;
  readonly targetVersion: string;
  readonly platform: string;
  readonly components: ComponentDiff[];
  readonly summary: DiffSummary;
}

/** Jaccard similarity |A∩B| / |A∪B|; two empty sets share nothing (0), as in the Go tool. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let common = 0;
  for (const item of a) if (b.has(item)) common++;
  return common / (a.size + b.size - common);
}

const kinds = (resources: readonly ManagedResource[]) => new Set(resources.map((resource) => resource.kind));
const labelKeys = (resources: readonly ManagedResource[]) => new Set(resources.flatMap((resource) => Object.keys(resource.labels ?? {})));

/** 0.4 kind overlap + 0.3 label-key overlap + 0.2 same controller + 0.1 similar resource count. */
export function componentSimilarity(a: KnowledgeComponent, b: KnowledgeComponent): number {
  const countA = a.managedResources.length;
  const countB = b.managedResources.length;
  const larger = Math.max(countA, countB);
  const countSimilarity = larger > 0 ? 1 - Math.abs(countA - countB) / larger : 0;
  return (
    0.4 * jaccard(kinds(a.managedResources), kinds(b.managedResources)) +
    0.3 * jaccard(labelKeys(a.managedResources), labelKeys(b.managedResources)) +
    0.2 * (a.controller === b.controller ? 1 : 0) +
    0.1 * countSimilarity
  );
}

interface Pairing<T> {
  readonly matched: Array<{ source: T; target: T; renamed: boolean }>;
  readonly removed: T[];
  readonly added: T[];
}

/** Exact matches first, then the best-scoring pairs above the threshold (ties: source order, then target order). */
function pair<T>(source: readonly T[], target: readonly T[], same: (a: T, b: T) => boolean, score: (a: T, b: T) => number | undefined): Pairing<T> {
  const usedSource = new Set<number>();
  const usedTarget = new Set<number>();
  const matched: Pairing<T>["matched"] = [];
  source.forEach((s, si) => {
    const ti = target.findIndex((t, index) => !usedTarget.has(index) && same(s, t));
    if (ti < 0) return;
    matched.push({ source: s, target: target[ti] as T, renamed: false });
    usedSource.add(si);
    usedTarget.add(ti);
  });
  const candidates: Array<{ si: number; ti: number; score: number }> = [];
  source.forEach((s, si) => {
    if (usedSource.has(si)) return;
    target.forEach((t, ti) => {
      if (usedTarget.has(ti)) return;
      const value = score(s, t);
      if (value !== undefined && value >= SIMILARITY_THRESHOLD) candidates.push({ si, ti, score: value });
    });
  });
  candidates.sort((x, y) => y.score - x.score || x.si - y.si || x.ti - y.ti);
  for (const candidate of candidates) {
    if (usedSource.has(candidate.si) || usedTarget.has(candidate.ti)) continue;
    matched.push({ source: source[candidate.si] as T, target: target[candidate.ti] as T, renamed: true });
    usedSource.add(candidate.si);
    usedTarget.add(candidate.ti);
  }
  return {
    matched,
    removed: source.filter((_, index) => !usedSource.has(index)),
    added: target.filter((_, index) => !usedTarget.has(index)),
  };
}

/** How the Go tool prints a value with %v: scalars as themselves, maps and lists in its bracket form. */
export function goString(value: unknown): string {
  if (value === undefined || value === null) return value === null ? "<nil>" : "";
  if (Array.isArray(value)) return `[${value.map(goString).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${goString(item)}`).join(" ")}]`;
  }
  return String(value);
}

const sortedUnion = (a: object | undefined, b: object | undefined) => [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();

function fieldChanges(source: ManagedResource, target: ManagedResource): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const key of sortedUnion(source.labels, target.labels)) {
    const oldValue = source.labels?.[key] ?? "";
    const newValue = target.labels?.[key] ?? "";
    if (oldValue !== newValue) changes.push({ path: `labels.${key}`, oldValue, newValue });
  }
  for (const key of sortedUnion(source.expectedSpec, target.expectedSpec)) {
    const oldValue = goString(source.expectedSpec?.[key]);
    const newValue = goString(target.expectedSpec?.[key]);
    const present = (spec: ManagedResource["expectedSpec"]) => spec !== undefined && Object.hasOwn(spec, key);
    if (oldValue !== newValue || present(source.expectedSpec) !== present(target.expectedSpec)) changes.push({ path: `spec.${key}`, oldValue, newValue });
  }
  return changes;
}

function diffResources(source: readonly ManagedResource[], target: readonly ManagedResource[]): ResourceDiff[] {
  const pairing = pair(
    source,
    target,
    (a, b) => a.kind === b.kind && a.name === b.name,
    (a, b) => (a.kind === b.kind ? jaccard(labelKeys([a]), labelKeys([b])) : undefined),
  );
  const diffs: ResourceDiff[] = [];
  for (const { source: from, target: to, renamed } of pairing.matched) {
    const changes = fieldChanges(from, to);
    const moved = !renamed && from.namespace !== to.namespace && Boolean(from.namespace) && Boolean(to.namespace);
    const changeType = renamed ? ChangeType.Renamed : moved ? ChangeType.Moved : ChangeType.Modified;
    if (changeType === ChangeType.Modified && changes.length === 0) continue;
    diffs.push({
      kind: to.kind,
      name: to.name,
      changeType,
      ...(renamed ? { renamedFrom: from.name } : {}),
      ...(moved && from.namespace ? { movedFrom: from.namespace } : {}),
      ...(changes.length > 0 ? { fieldChanges: changes } : {}),
    });
  }
  for (const resource of pairing.removed) diffs.push({ kind: resource.kind, name: resource.name, changeType: ChangeType.Removed });
  for (const resource of pairing.added) diffs.push({ kind: resource.kind, name: resource.name, changeType: ChangeType.Added });
  return diffs;
}

function diffWebhooks(source: KnowledgeComponent["webhooks"], target: KnowledgeComponent["webhooks"]): WebhookDiff[] {
  const before = new Map((source ?? []).map((webhook) => [webhook.name, webhook]));
  const after = new Map((target ?? []).map((webhook) => [webhook.name, webhook]));
  const diffs: WebhookDiff[] = [];
  for (const [name, old] of before) {
    const now = after.get(name);
    if (now === undefined) {
      diffs.push({ name, changeType: ChangeType.Removed });
    } else if (old.type !== now.type || old.path !== now.path) {
      diffs.push({
        name,
        changeType: ChangeType.Modified,
        ...(old.type !== now.type ? { oldType: old.type, newType: now.type } : {}),
        ...(old.path !== now.path ? { oldPath: old.path, newPath: now.path } : {}),
      });
    }
  }
  for (const name of after.keys()) if (!before.has(name)) diffs.push({ name, changeType: ChangeType.Added });
  return diffs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function diffLists(source: readonly string[] | undefined, target: readonly string[] | undefined): ItemDiff[] {
  const before = new Set(source ?? []);
  const after = new Set(target ?? []);
  return [
    ...[...before].filter((item) => !after.has(item)).map((name) => ({ name, changeType: ChangeType.Removed })),
    ...[...after].filter((item) => !before.has(item)).map((name) => ({ name, changeType: ChangeType.Added })),
  ];
}

type ComponentFacts = Omit<ComponentDiff, "breaking">;

/** The Go tool's rule: renames, moves, removed or retyped webhooks, removed finalizers and any dependency change break. */
export function isBreaking(diff: ComponentFacts): boolean {
  if (diff.changeType === ChangeType.Renamed || diff.namespaceChange !== undefined) return true;
  if (diff.resources.some((resource) => resource.changeType === ChangeType.Renamed || resource.changeType === ChangeType.Moved)) return true;
  if (diff.webhooks.some((webhook) => webhook.changeType === ChangeType.Removed || webhook.oldType !== undefined)) return true;
  if (diff.finalizers.some((finalizer) => finalizer.changeType === ChangeType.Removed)) return true;
  return diff.dependencies.length > 0;
}

const withVerdict = (facts: ComponentFacts): ComponentDiff => ({ ...facts, breaking: isBreaking(facts) });
const whole = (operator: string, component: string, changeType: ChangeType): ComponentDiff =>
  withVerdict({ operator, component, changeType, resources: [], webhooks: [], finalizers: [], dependencies: [] });

interface OperatorGroup {
  readonly namespace: string;
  readonly components: KnowledgeComponent[];
}

/** Models of the same operator (split over several files) count as one. */
function byOperator(models: readonly OperatorKnowledge[]): Map<string, OperatorGroup> {
  const groups = new Map<string, OperatorGroup>();
  for (const model of models) {
    const group = groups.get(model.operator.name);
    if (group) group.components.push(...model.components);
    else groups.set(model.operator.name, { namespace: model.operator.namespace, components: [...model.components] });
  }
  return groups;
}

function diffOperator(operator: string, source: OperatorGroup, target: OperatorGroup): ComponentDiff[] {
  const pairing = pair(source.components, target.components, (a, b) => a.name === b.name, componentSimilarity);
  const diffs: ComponentDiff[] = [];
  for (const { source: from, target: to, renamed } of pairing.matched) {
    const facts: ComponentFacts = {
      operator,
      component: to.name,
      changeType: renamed ? ChangeType.Renamed : ChangeType.Modified,
      ...(renamed ? { renamedFrom: from.name } : {}),
      ...(source.namespace !== target.namespace ? { namespaceChange: { from: source.namespace, to: target.namespace } } : {}),
      resources: diffResources(from.managedResources, to.managedResources),
      webhooks: diffWebhooks(from.webhooks, to.webhooks),
      finalizers: diffLists(from.finalizers, to.finalizers),
      dependencies: diffLists(from.dependencies, to.dependencies),
    };
    const unchanged = !renamed && !facts.namespaceChange && [facts.resources, facts.webhooks, facts.finalizers, facts.dependencies].every((list) => list.length === 0);
    if (!unchanged) diffs.push(withVerdict(facts));
  }
  for (const component of pairing.removed) diffs.push(whole(operator, component.name, ChangeType.Removed));
  for (const component of pairing.added) diffs.push(whole(operator, component.name, ChangeType.Added));
  return diffs;
}

function versionInfo(models: readonly OperatorKnowledge[]): { version: string; platform: string } {
  return {
    version: models.find((model) => model.operator.version)?.operator.version ?? "",
    platform: models.find((model) => model.operator.platform)?.operator.platform ?? "",
  };
}

export function summarizeDiff(components: readonly ComponentDiff[]): DiffSummary {
  const count = (type: ChangeType) => components.filter((component) => component.changeType === type).length;
  const total = (list: (component: ComponentDiff) => readonly unknown[]) => components.reduce((sum, component) => sum + list(component).length, 0);
  return {
    componentsAdded: count(ChangeType.Added),
    componentsRemoved: count(ChangeType.Removed),
    componentsRenamed: count(ChangeType.Renamed),
    namespaceMoves: components.filter((component) => component.namespaceChange).length,
    resourceChanges: total((component) => component.resources),
    webhookChanges: total((component) => component.webhooks),
    finalizerChanges: total((component) => component.finalizers),
    dependencyChanges: total((component) => component.dependencies),
    breakingChanges: components.filter((component) => component.breaking).length,
  };
}

/** Everything that changed from the source models to the target models, sorted by operator then component. */
export function diffKnowledge(source: readonly OperatorKnowledge[], target: readonly OperatorKnowledge[]): UpgradeDiff {
  const before = byOperator(source);
  const after = byOperator(target);
  const components: ComponentDiff[] = [];
  for (const [operator, group] of before) {
    const next = after.get(operator);
    if (next) components.push(...diffOperator(operator, group, next));
    else components.push(...group.components.map((component) => whole(operator, component.name, ChangeType.Removed)));
  }
  for (const [operator, group] of after) {
    if (!before.has(operator)) components.push(...group.components.map((component) => whole(operator, component.name, ChangeType.Added)));
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  components.sort((a, b) => order(a.operator, b.operator) || order(a.component, b.component));
  return {
    sourceVersion: versionInfo(source).version,
    targetVersion: versionInfo(target).version,
    platform: versionInfo(source).platform,
    components,
    summary: summarizeDiff(components),
  };
}

/** `--breaking`: only the components whose change breaks an upgrade. */
export function onlyBreaking(diff: UpgradeDiff): UpgradeDiff {
  const components = diff.components.filter((component) => component.breaking);
  return { ...diff, components, summary: summarizeDiff(components) };
}

// `diff` over the Go tool's knowledge models: every model against itself yields no change, and an
// edited copy yields exactly the edits (run by `npm run test:compat`).

import path from "node:path";
import { describe, expect, it } from "vitest";
import type { OperatorKnowledge } from "../../src/experiment/knowledge.js";
import { loadKnowledgeVersion } from "../../src/upgrade/sources.js";
import { ChangeType, diffKnowledge } from "../../src/upgrade/knowledge-diff.js";
import { CORPUS } from "./paths.js";

const load = async () => (await loadKnowledgeVersion("--source", path.join(CORPUS, "knowledge"))).models;

describe("diff over the corpus knowledge models", () => {
  it("finds no change between the corpus and itself", async () => {
    const models = await load();
    expect(models.length).toBeGreaterThan(10);
    const diff = diffKnowledge(models, structuredClone(models));
    expect(diff.components).toEqual([]);
    expect(diff.summary.breakingChanges).toBe(0);
  });

  it("finds exactly the edits made to a copy of each model", async () => {
    for (const original of await load()) {
      const edited: OperatorKnowledge = structuredClone(original);
      const component = edited.components[0]!;
      const resource = component.managedResources[0]!;
      const oldName = resource.name;
      resource.name = `${oldName}-v2`; // same kind and labels: a rename when it has labels, else removed + added
      component.finalizers = [...(component.finalizers ?? []), "upgrade.test/finalizer"];
      const diff = diffKnowledge([original], [edited]);
      const label = `${original.operator.name}/${component.name}`;
      expect(diff.components.map((c) => `${c.operator}/${c.component}`), label).toEqual([label]);
      const [found] = diff.components;
      expect(found?.finalizers, label).toEqual([{ name: "upgrade.test/finalizer", changeType: ChangeType.Added }]);
      const hasLabels = Object.keys(resource.labels ?? {}).length > 0;
      const sameKindRivals = original.components[0]!.managedResources.filter((other) => other.kind === resource.kind && other.name !== oldName);
      if (hasLabels && sameKindRivals.length === 0) {
        expect(found?.resources, label).toEqual([{ kind: resource.kind, name: `${oldName}-v2`, changeType: ChangeType.Renamed, renamedFrom: oldName }]);
        expect(found?.breaking, label).toBe(true);
      } else {
        // another resource of the kind may be the better label match; the edit still shows as one renamed or removed+added resource pair
        expect(found?.resources.length, label).toBeGreaterThanOrEqual(1);
        expect(found?.resources.some((r) => r.name === `${oldName}-v2` || r.renamedFrom === oldName), label).toBe(true);
      }
      expect(found?.webhooks, label).toEqual([]);
      expect(found?.dependencies, label).toEqual([]);
    }
  });

  it("reports a removed webhook and a moved namespace as breaking", async () => {
    const withHooks = (await load()).find((model) => model.components.some((c) => (c.webhooks ?? []).length > 0))!;
    const edited: OperatorKnowledge = structuredClone(withHooks);
    edited.operator.namespace = `${edited.operator.namespace}-v2`;
    const component = edited.components.find((c) => (c.webhooks ?? []).length > 0)!;
    const removed = component.webhooks!.shift()!;
    const diff = diffKnowledge([withHooks], [edited]);
    expect(diff.components).toHaveLength(withHooks.components.length);
    expect(diff.components.every((c) => c.breaking && c.namespaceChange?.to === edited.operator.namespace)).toBe(true);
    const mine = diff.components.find((c) => c.component === component.name)!;
    expect(mine.webhooks.filter((w) => w.name === removed.name)).toEqual([{ name: removed.name, changeType: ChangeType.Removed }]);
  });
});

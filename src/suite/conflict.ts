// Which experiments of a suite must not run at the same time: two faults on the same operator, on the
// same object, or on components one of which depends directly on the other (the dependent's steady
// state is watched as collateral, so a second fault there would blur both results). Pure.

import type { ChaosExperiment } from "../experiment/types.js";
import type { DependencyGraph } from "./graph.js";

export interface ConflictKeys {
  /** `operator:<name>` and `object:<Kind/namespace/name>` keys; two experiments conflict when they share one. */
  readonly keys: ReadonlySet<string>;
}

/** The objects a fault names directly in its parameters (name, bindingName, …), besides spec.target.resource. */
const NAME_PARAMETERS = ["name", "bindingName", "webhookName", "quotaName"];

export function conflictKeys(experiment: ChaosExperiment, graph?: DependencyGraph): ConflictKeys {
  const { operator, component, resource } = experiment.spec.target;
  const keys = new Set<string>([`operator:${operator}`]);
  if (resource) keys.add(`object:${resource}`);
  const parameters = experiment.spec.injection.parameters ?? {};
  for (const name of NAME_PARAMETERS) {
    const value = parameters[name];
    if (typeof value === "string" && value !== "") keys.add(`object:${experiment.spec.injection.type}:${value}`);
  }
  for (const node of [...(graph?.dependentsOf(operator, component) ?? []), ...(graph?.dependenciesOf(operator, component) ?? [])]) {
    keys.add(`operator:${node.operator}`);
  }
  return { keys };
}

/** The shared keys, or none when the two may overlap. */
export function conflictBetween(a: ConflictKeys, b: ConflictKeys): string[] {
  return [...a.keys].filter((key) => b.keys.has(key));
}

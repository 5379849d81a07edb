// Helpers for tests: experiment documents with a known layout, and positions found by searching the
// text (independently of the YAML parser, so position tests do not check the parser against itself).

import type { SourcePosition } from "./diagnostic.js";

export interface ExperimentTextOptions {
  readonly type: string;
  /** Values are written double-quoted; undefined leaves the parameter out. */
  readonly parameters?: Readonly<Record<string, string | undefined>>;
  readonly dangerLevel?: string;
  readonly count?: number;
  /** null leaves allowedNamespaces out. */
  readonly allowedNamespaces?: readonly string[] | null;
  readonly allowDangerous?: boolean;
  readonly maxPodsAffected?: number;
  readonly checkNamespace?: string;
  readonly ttl?: string;
  readonly recoveryTimeout?: string;
  readonly forbiddenResources?: readonly string[];
  readonly resource?: string;
}

/** A ChaosExperiment as YAML text, one field per line, in a fixed order. */
export function experimentText(options: ExperimentTextOptions): string {
  const lines = [
    "apiVersion: chaos.operatorchaos.io/v1alpha1",
    "kind: ChaosExperiment",
    "metadata:",
    "  name: rule-test",
    "spec:",
    "  target:",
    "    operator: test-operator",
    "    component: test-component",
    ...(options.resource === undefined ? [] : [`    resource: ${options.resource}`]),
    "  steadyState:",
    "    checks:",
    "      - type: conditionTrue",
    "        apiVersion: apps/v1",
    "        kind: Deployment",
    "        name: test-component",
    `        namespace: ${options.checkNamespace ?? "test-ns"}`,
    "        conditionType: Available",
    "  injection:",
    `    type: ${options.type}`,
    ...(options.dangerLevel === undefined ? [] : [`    dangerLevel: ${options.dangerLevel}`]),
    ...(options.count === undefined ? [] : [`    count: ${options.count}`]),
    ...(options.ttl === undefined ? [] : [`    ttl: ${options.ttl}`]),
    "    parameters:",
    ...Object.entries(options.parameters ?? {})
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => `      ${key}: ${JSON.stringify(value)}`),
    "  hypothesis:",
    "    description: the operator recovers",
    ...(options.recoveryTimeout === undefined ? [] : [`    recoveryTimeout: ${options.recoveryTimeout}`]),
    "  blastRadius:",
    `    maxPodsAffected: ${options.maxPodsAffected ?? 5}`,
    ...(options.allowedNamespaces === null
      ? []
      : ["    allowedNamespaces:", ...(options.allowedNamespaces ?? ["test-ns"]).map((namespace) => `      - ${namespace}`)]),
    ...(options.forbiddenResources === undefined ? [] : ["    forbiddenResources:", ...options.forbiddenResources.map((entry) => `      - ${entry}`)]),
    ...(options.allowDangerous === undefined ? [] : [`    allowDangerous: ${options.allowDangerous}`]),
  ];
  return `${lines.join("\n")}\n`;
}

/** Position of the first occurrence of `needle` (its first character), or after it with `after`. */
export function positionIn(text: string, needle: string, where: "start" | "after" = "start", occurrence = 1): SourcePosition {
  let index = -1;
  for (let found = 0; found < occurrence; found++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`${JSON.stringify(needle)} not found (occurrence ${found + 1})`);
  }
  const offset = where === "after" ? index + needle.length : index;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column };
}

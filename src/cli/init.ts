// `operator-chaos init`: writes a commented ChaosExperiment skeleton for any of the 20 fault types,
// built from the fault's own driver (its parameters, scope and danger level), so it is valid as written.

import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { API_VERSION, EXPERIMENT_KIND, KUBERNETES_NAME_PATTERN } from "../experiment/enums.js";
import type { FaultDriver, SkeletonTarget } from "../faults/driver.js";

export interface InitFlags {
  readonly type: string;
  readonly operator?: string;
  readonly component?: string;
  readonly namespace?: string;
  readonly output?: string;
  readonly force?: boolean;
  readonly schema?: string;
}

export const SCHEMA_FILE = "schema/chaosexperiment.schema.json";

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .summary("write a commented experiment skeleton")
    .description("Write a valid, commented ChaosExperiment for a fault type (see `operator-chaos types`) to stdout or a file.")
    .requiredOption("--operator <name>", "the operator under test")
    .requiredOption("--component <name>", "the component of the operator to target")
    .option("--type <type>", "fault type", "PodKill")
    .option("--namespace <namespace>", "namespace the component runs in (default: the operator name)")
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("--force", "overwrite the output file if it exists")
    .option("--schema <ref>", "JSON Schema reference for editors (default: the installed schema, relative to the output)")
    .action(async (flags: InitFlags, command: Command) => {
      const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2, code: "operator-chaos.usage" });
      const { findFaultDriver } = await import("../faults/registry.js");
      const driver = findFaultDriver(flags.type);
      if (driver === undefined) {
        const { INJECTION_TYPES } = await import("../experiment/enums.js");
        const { didYouMean } = await import("../experiment/suggest.js");
        usage(`unknown fault type ${JSON.stringify(flags.type)}${didYouMean(flags.type, INJECTION_TYPES)} (see operator-chaos types)`);
        return;
      }
      const target: SkeletonTarget = {
        operator: flags.operator!,
        component: flags.component!,
        namespace: flags.namespace ?? flags.operator!,
      };
      for (const [flag, value] of Object.entries(target)) {
        if (!new RegExp(KUBERNETES_NAME_PATTERN).test(value) || value.length > 253) {
          usage(`--${flag} ${JSON.stringify(value)} must be a lowercase RFC 1123 name (letters, digits, '-' and '.')`);
        }
      }
      if (flags.output !== undefined && existsSync(flags.output) && !flags.force) {
        usage(`${flags.output} exists; use --force to overwrite it`);
      }
      const { packageRoot } = await import("../experiment/package-root.js");
      const schemaReference =
        flags.schema ?? relativeReference(path.join(packageRoot(), SCHEMA_FILE), flags.output === undefined ? process.cwd() : path.dirname(path.resolve(flags.output)));
      const text = await renderExperimentSkeleton(driver, target, { schemaReference });
      if (flags.output === undefined) {
        process.stdout.write(text);
      } else {
        await writeFile(flags.output, text, "utf8");
        process.stderr.write(`wrote ${flags.output}\n`);
      }
      if (["default", "kube-system", "kube-public", "kube-node-lease"].includes(target.namespace)) {
        process.stderr.write(`warning: namespace ${JSON.stringify(target.namespace)} can never be targeted; pass --namespace\n`);
      }
    });
}

function relativeReference(file: string, fromDirectory: string): string {
  const relative = path.relative(fromDirectory, file).split(path.sep).join("/");
  return relative.startsWith(".") ? relative : `./${relative}`;
}

/** "PodKill" → "pod-kill", "CRDMutation" → "crd-mutation". */
export function kebabCase(type: string): string {
  return type
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase();
}

/** The skeleton as YAML text with comments. */
export async function renderExperimentSkeleton(
  driver: FaultDriver,
  target: SkeletonTarget,
  options: { schemaReference?: string } = {},
): Promise<string> {
  const { Document, isMap, isScalar } = await import("yaml");
  const parameters = driver.skeleton(target);
  const cluster = driver.scopeFor(parameters) === "cluster";
  const high = driver.defaultDangerLevel === "high";
  const name = `${target.component}-${kebabCase(driver.type)}`.slice(0, 253).replace(/[^a-z0-9]+$/, "");
  const experiment = {
    apiVersion: API_VERSION,
    kind: EXPERIMENT_KIND,
    metadata: { name, labels: { component: target.component.slice(0, 63).replace(/[^a-z0-9]+$/, "") } },
    spec: {
      tier: driver.defaultTier,
      target: { operator: target.operator, component: target.component, resource: `Deployment/${target.component}` },
      steadyState: {
        checks: [
          {
            type: "conditionTrue",
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: target.component,
            namespace: target.namespace,
            conditionType: "Available",
          },
        ],
        timeout: "30s",
      },
      injection: {
        type: driver.type,
        dangerLevel: driver.defaultDangerLevel,
        parameters,
        count: 1,
        ttl: "300s",
      },
      hypothesis: {
        description:
          driver.persistence === "instantaneous"
            ? `After ${driver.type} hits ${target.component}, it returns to its steady state within the recovery timeout, without manual intervention.`
            : `While ${driver.type} holds, ${target.component} degrades gracefully; once the fault is reverted, it returns to its steady state within the recovery timeout, without a restart.`,
        recoveryTimeout: "120s",
      },
      blastRadius: {
        maxPodsAffected: 1,
        ...(cluster ? {} : { allowedNamespaces: [target.namespace] }),
        ...(high ? { allowDangerous: true } : {}),
      },
    },
  };

  const document = new Document(experiment, { version: "1.1" });
  const header = [
    ...(options.schemaReference === undefined ? [] : [` yaml-language-server: $schema=${options.schemaReference}`]),
    ` ${driver.type}: ${driver.summary}`,
    ` Generated by operator-chaos init; check it with: operator-chaos validate <this file>`,
  ];
  document.commentBefore = header.join("\n");
  const comment = (keyPath: readonly string[], text: string): void => {
    const parent = document.getIn(keyPath.slice(0, -1), true);
    if (!isMap(parent)) return;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === keyPath[keyPath.length - 1]);
    if (pair !== undefined && isScalar(pair.key)) pair.key.commentBefore = text.split("\n").map((line) => ` ${line}`).join("\n");
  };

  comment(["spec", "tier"], "Risk tier 1-6 (1 basic recovery ... 5 destructive); `run --max-tier` filters on it.");
  comment(["spec", "target", "resource"], "Kind/name of the object this experiment is about; never one of blastRadius.forbiddenResources.");
  comment(["spec", "steadyState"], "What healthy means: every check must pass before the fault and again after recovery.");
  comment(
    ["spec", "injection", "dangerLevel"],
    high
      ? `${driver.type} changes things that are hard to undo: it needs dangerLevel high and blastRadius.allowDangerous.`
      : "low, medium or high (high also needs blastRadius.allowDangerous: true).",
  );
  const documented = new Set(Object.keys(parameters));
  const optional = driver.parameterDocs.filter((doc) => !documented.has(doc.name));
  comment(
    ["spec", "injection", "parameters"],
    [
      `Parameters of ${driver.type} (every value is a string).`,
      ...optional.map((doc) => `Also available: ${doc.name}: ${doc.description}${doc.default === undefined ? "" : ` Default: ${doc.default}.`}`),
    ].join("\n"),
  );
  for (const doc of driver.parameterDocs.filter((entry) => documented.has(entry.name))) {
    const suffix = doc.required ? " (required)" : doc.default === undefined ? " (optional)" : ` (optional, default ${doc.default})`;
    comment(["spec", "injection", "parameters", doc.name], `${doc.description}${suffix}`);
  }
  comment(["spec", "injection", "count"], "How many targets to hit (1-100); must not exceed blastRadius.maxPodsAffected.");
  comment(["spec", "injection", "ttl"], "The fault is reverted at the latest after this long (at most 1h).");
  comment(["spec", "hypothesis", "description"], "TODO: say what you expect, in your own words.");
  comment(["spec", "hypothesis", "recoveryTimeout"], "How long the operator has to recover (at most 1h).");
  comment(
    ["spec", "blastRadius", "maxPodsAffected"],
    cluster
      ? `${driver.type} is cluster-scoped here: no allowedNamespaces, and dangerLevel must be high.`
      : "Upper bound on what the fault may touch; the fault acts only in allowedNamespaces.",
  );
  return document.toString({ lineWidth: 0 });
}

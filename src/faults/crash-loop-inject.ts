import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault } from "./driver.js";
import {
  deploymentRef, deploymentsAnnotated, describeDeployment, injectFieldChange, pickContainer, readDeployment, refuseGoLeftover,
  revertFieldChange, revertGoAnnotations, ttlOption, type FieldChangeRecord,
} from "./deployment-field.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** The command the Go tool sets: a binary no image has, so the container cannot start. */
export const CRASH_COMMAND = ["/chaos-nonexistent-binary"] as const;
/** The Go tool's rollback annotations on the Deployment: `<prefix><container>` = original command (JSON or null), and the container's name. */
export const GO_ORIGINAL_COMMAND_PREFIX = "chaos.operatorchaos.io/original-command-";
export const GO_CRASH_CONTAINER = "chaos.operatorchaos.io/crash-container-name";

/** Replaces a container's command with one that cannot start, so new pods crash-loop. */
export const crashLoopInjectSpec = defineFaultSpec({
  type: InjectionType.CrashLoopInject,
  summary: "Replaces a Deployment container's command with a missing binary, so new pods crash-loop.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 3,
  parameterDocs: [
    { name: "name", required: true, description: "Name of the Deployment." },
    { name: "containerName", required: false, description: "The container to break; the first one when absent." },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.CrashLoopInject, parameters, context);
    const name = check.nonEmpty("name", "the Deployment's name");
    if (name !== undefined) check.targetName("name", name);
    const containerName = check.value("containerName");
    if (containerName !== undefined) check.kubernetesName("containerName", containerName);
    check.requireHighDanger("CrashLoopInject");
    return check.issues;
  },
  skeleton: ({ component }) => ({ name: objectNameFrom(component) }),
});

interface CrashLoopPlan {
  change: FieldChangeRecord;
  acceptedAt?: string;
}

type CrashLoopRecord = FieldChangeRecord | { goTool: { container: string; originalCommand: string | undefined } };

export const crashLoopInject = defineRunnableFault<CrashLoopPlan, CrashLoopRecord>(crashLoopInjectSpec, {
  permissions: (_parameters, namespace) => ["get", "patch"].map((verb) => ({ verb, group: "apps", resource: "deployments", namespace })),

  /** Reads the Deployment and picks the container; refuses one whose command is already the crashing one. */
  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const name = parameters.name ?? "";
    const deployment = await readDeployment(context.cluster.rest, context.namespace, name);
    const { index, container } = pickContainer(deployment, parameters.containerName);
    refuseGoLeftover(deployment, [GO_CRASH_CONTAINER, `${GO_ORIGINAL_COMMAND_PREFIX}${container.name}`]);
    const target = deploymentRef(context.namespace, name);
    if (JSON.stringify(container.command) === JSON.stringify(CRASH_COMMAND)) {
      throw new Error(`container ${container.name} of ${describeDeployment(target)} already runs ${CRASH_COMMAND[0]}: there is nothing to break`);
    }
    const original = container.command;
    return {
      type: InjectionType.CrashLoopInject,
      targets: [target],
      summary: `replace the command of container ${container.name} of ${describeDeployment(target)} ` +
        `(${original ? JSON.stringify(original) : "the image's entrypoint"}) with ${JSON.stringify(CRASH_COMMAND)}`,
      data: {
        change: {
          uid: deployment.metadata.uid, path: `/spec/template/spec/containers/${index}/command`, container: { index, name: container.name },
          hadOriginal: original !== undefined, ...(original !== undefined ? { original } : {}), injected: [...CRASH_COMMAND],
        },
      },
    };
  },

  /**
   * The operator's repair: the container's command is the original again. (A container that had no
   * command cannot be checked this way, a field's absence is not a steady-state check.)
   */
  repairChecks(plan) {
    const { change } = plan.data;
    const target = plan.targets[0]!;
    if (!change.hadOriginal) return [];
    return [{
      type: "fieldEquals", apiVersion: "apps/v1", kind: "Deployment", name: target.name, namespace: target.namespace,
      fieldPath: `spec.template.spec.containers[${change.container!.index}].command`, expectedValue: JSON.stringify(change.original),
    }];
  },

  /** Journals the original command, then patches that one container's command (guarded by UID, container name and the planned command). */
  async inject(context, plan) {
    const target = plan.targets[0]!;
    const record = await injectFieldChange(context.cluster.rest, target, plan.data.change,
      () => context.journal.write(InjectionType.CrashLoopInject, target, plan.data.change, ttlOption(context)));
    plan.data.acceptedAt = context.now().toISOString();
    return [record];
  },

  /** Confirmed when the API server accepted the crashing command. */
  async confirm(_context, plan) {
    const { change } = plan.data;
    if (plan.data.acceptedAt === undefined) return { confirmed: false, reason: "the API server did not accept the command" };
    return { confirmed: true, evidence: `the API server accepted command ${JSON.stringify(change.injected)} for container ${change.container!.name} at ${plan.data.acceptedAt}` };
  },

  /** Restores the command (or removes it, if there was none) only while the crashing one is still there. */
  async revert(context, record) {
    const { rest } = context.cluster;
    if ("goTool" in record.data) {
      const { container, originalCommand } = record.data.goTool;
      const original = parseGoCommand(originalCommand);
      await revertGoAnnotations(rest, record.target, [GO_CRASH_CONTAINER, `${GO_ORIGINAL_COMMAND_PREFIX}${container}`], (deployment) => {
        const index = deployment.spec.template.spec.containers.findIndex((c) => c.name === container);
        const current = deployment.spec.template.spec.containers[index];
        if (original === "unreadable" || !current || JSON.stringify(current.command) !== JSON.stringify(CRASH_COMMAND)) return [];
        const path = `/spec/template/spec/containers/${index}/command`;
        return [
          { op: "test", path: `/spec/template/spec/containers/${index}/name`, value: container },
          original === null ? { op: "remove", path } : { op: "replace", path, value: original },
        ];
      });
      return;
    }
    await revertFieldChange(rest, record.target, record.data);
  },

  /** Deployments carrying the Go tool's CrashLoopInject annotations. */
  async leftovers(context, namespace) {
    const found = await deploymentsAnnotated(context.cluster.rest, namespace, (d) => d.metadata.annotations?.[GO_CRASH_CONTAINER] !== undefined);
    return found.map((deployment) => {
      const container = deployment.metadata.annotations![GO_CRASH_CONTAINER]!;
      return {
        type: InjectionType.CrashLoopInject,
        target: deploymentRef(deployment.metadata.namespace, deployment.metadata.name),
        data: { goTool: { container, originalCommand: deployment.metadata.annotations![`${GO_ORIGINAL_COMMAND_PREFIX}${container}`] } },
      };
    });
  },
});

/** The Go tool's original-command annotation: a JSON array, or `null` for "no command". */
export function parseGoCommand(text: string | undefined): string[] | null | "unreadable" {
  if (text === undefined) return "unreadable";
  try {
    const value: unknown = JSON.parse(text);
    if (value === null) return null;
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  } catch {
    // fall through
  }
  return "unreadable";
}

import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault } from "./driver.js";
import {
  deploymentRef, deploymentsAnnotated, describeDeployment, injectFieldChange, ttlOption, readDeployment, refuseGoLeftover, revertFieldChange,
  revertGoAnnotations, type FieldChangeRecord,
} from "./deployment-field.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Where the Go tool keeps the replica count it replaced (on the Deployment itself). */
export const GO_ORIGINAL_REPLICAS = "chaos.operatorchaos.io/original-replicas";
const REPLICAS = "/spec/replicas";

/** Scales a Deployment to zero replicas; the operator is expected to scale it back. */
export const deploymentScaleZeroSpec = defineFaultSpec({
  type: InjectionType.DeploymentScaleZero,
  summary: "Sets a Deployment's replicas to 0.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 3,
  parameterDocs: [{ name: "name", required: true, description: "Name of the Deployment." }],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.DeploymentScaleZero, parameters, context);
    const name = check.nonEmpty("name", "the Deployment's name");
    if (name !== undefined) check.targetName("name", name);
    check.requireHighDanger("DeploymentScaleZero");
    return check.issues;
  },
  skeleton: ({ component }) => ({ name: objectNameFrom(component) }),
});

interface ScaleZeroPlan {
  change: FieldChangeRecord;
  /** Set by inject once the API server accepted replicas 0. */
  acceptedAt?: string;
}

type ScaleZeroRecord = FieldChangeRecord | { goTool: { originalReplicas: string } };

export const deploymentScaleZero = defineRunnableFault<ScaleZeroPlan, ScaleZeroRecord>(deploymentScaleZeroSpec, {
  permissions: (_parameters, namespace) => ["get", "patch"].map((verb) => ({ verb, group: "apps", resource: "deployments", namespace })),

  /** Reads the Deployment; refuses one already at zero (nothing to test, or another fault holds it). */
  async plan(context) {
    const name = context.experiment.spec.injection.parameters?.name ?? "";
    const deployment = await readDeployment(context.cluster.rest, context.namespace, name);
    refuseGoLeftover(deployment, [GO_ORIGINAL_REPLICAS]);
    const replicas = deployment.spec.replicas ?? 1;
    const target = deploymentRef(context.namespace, name);
    if (replicas === 0) throw new Error(`${describeDeployment(target)} already has 0 replicas: there is nothing to scale down`);
    return {
      type: InjectionType.DeploymentScaleZero,
      targets: [target],
      summary: `scale ${describeDeployment(target)} from ${replicas} replica(s) to 0`,
      data: { change: { uid: deployment.metadata.uid, path: REPLICAS, hadOriginal: true, original: replicas, injected: 0 } },
    };
  },

  /** The operator's repair: spec.replicas is what it was. */
  repairChecks(plan) {
    const target = plan.targets[0]!;
    return [{ type: "fieldEquals", apiVersion: "apps/v1", kind: "Deployment", name: target.name, namespace: target.namespace, fieldPath: "spec.replicas", expectedValue: String(plan.data.change.original) }];
  },

  /** Journals the original count, then patches spec.replicas alone (guarded by UID and the planned count). */
  async inject(context, plan) {
    const target = plan.targets[0]!;
    const record = await injectFieldChange(context.cluster.rest, target, plan.data.change,
      () => context.journal.write(InjectionType.DeploymentScaleZero, target, plan.data.change, ttlOption(context)));
    plan.data.acceptedAt = context.now().toISOString();
    return [record];
  },

  /** Confirmed when the API server accepted replicas 0 (an operator may scale back before we could look). */
  async confirm(_context, plan) {
    if (plan.data.acceptedAt === undefined) return { confirmed: false, reason: "the API server did not accept spec.replicas 0" };
    return { confirmed: true, evidence: `the API server accepted spec.replicas 0 (was ${String(plan.data.change.original)}) at ${plan.data.acceptedAt}` };
  },

  /** Restores the count only while it is still 0: replicas the operator set are kept. */
  async revert(context, record) {
    const { rest } = context.cluster;
    if ("goTool" in record.data) {
      const original = Number(record.data.goTool.originalReplicas);
      await revertGoAnnotations(rest, record.target, [GO_ORIGINAL_REPLICAS], (deployment) =>
        (Number.isInteger(original) && original >= 0 && (deployment.spec.replicas ?? 1) === 0 ? [{ op: "replace", path: REPLICAS, value: original }] : []));
      return;
    }
    await revertFieldChange(rest, record.target, record.data);
  },

  /** Deployments the Go tool scaled to zero (its original-replicas annotation). */
  async leftovers(context, namespace) {
    const found = await deploymentsAnnotated(context.cluster.rest, namespace, (d) => d.metadata.annotations?.[GO_ORIGINAL_REPLICAS] !== undefined);
    return found.map((deployment) => ({
      type: InjectionType.DeploymentScaleZero,
      target: deploymentRef(deployment.metadata.namespace, deployment.metadata.name),
      data: { goTool: { originalReplicas: deployment.metadata.annotations![GO_ORIGINAL_REPLICAS]! } },
    }));
  },
});

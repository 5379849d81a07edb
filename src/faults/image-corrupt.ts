import { InjectionType } from "../experiment/enums.js";
import { defineFaultSpec, defineRunnableFault } from "./driver.js";
import {
  deploymentRef, deploymentsAnnotated, describeDeployment, injectFieldChange, ttlOption, pickContainer, readDeployment, refuseGoLeftover,
  revertFieldChange, revertGoAnnotations, type FieldChangeRecord,
} from "./deployment-field.js";
import { checker, isKubernetesName } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const DEFAULT_IMAGE = "registry.invalid/nonexistent:chaos";
/** The Go tool's rollback annotations on the Deployment: `<prefix><container>` = original image, and the container's name. */
export const GO_ORIGINAL_IMAGE_PREFIX = "chaos.operatorchaos.io/original-image-";
export const GO_CORRUPT_CONTAINER = "chaos.operatorchaos.io/corrupt-container-name";

/** Points a container at an image that cannot be pulled, so new pods never start. */
export const imageCorruptSpec = defineFaultSpec({
  type: InjectionType.ImageCorrupt,
  summary: "Sets a Deployment container's image to one that cannot be pulled.",
  scope: "namespaced",
  persistence: "instantaneous",
  defaultDangerLevel: "high",
  defaultTier: 3,
  parameterDocs: [
    { name: "name", required: true, description: "Name of the Deployment." },
    { name: "containerName", required: false, description: "The container to break; the first one when absent." },
    { name: "image", required: false, description: "The unpullable image to set.", default: DEFAULT_IMAGE },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.ImageCorrupt, parameters, context);
    const name = check.nonEmpty("name", "the Deployment's name");
    if (name !== undefined) check.targetName("name", name);
    const containerName = check.value("containerName");
    if (containerName !== undefined && !isKubernetesName(containerName)) {
      // The Go tool leaves this to injection time; a warning keeps its files valid.
      check.warn("containerName", "parameter.name-format", "no container can have this name; the injection would fail", {
        got: JSON.stringify(containerName),
      });
    }
    if (check.value("image") === "") {
      check.warn("image", "parameter.empty", "an empty image is rejected by the API server; leave image out to use the default", {
        expected: DEFAULT_IMAGE,
      });
    }
    check.requireHighDanger("ImageCorrupt");
    return check.issues;
  },
  skeleton: ({ component }) => ({ name: objectNameFrom(component), image: DEFAULT_IMAGE }),
});

interface ImageCorruptPlan {
  change: FieldChangeRecord;
  acceptedAt?: string;
}

type ImageCorruptRecord = FieldChangeRecord | { goTool: { container: string; originalImage: string } };

export const imageCorrupt = defineRunnableFault<ImageCorruptPlan, ImageCorruptRecord>(imageCorruptSpec, {
  permissions: (_parameters, namespace) => ["get", "patch"].map((verb) => ({ verb, group: "apps", resource: "deployments", namespace })),

  /** Reads the Deployment and picks the container; refuses one that already runs the unpullable image. */
  async plan(context) {
    const parameters = context.experiment.spec.injection.parameters ?? {};
    const name = parameters.name ?? "";
    const image = parameters.image || DEFAULT_IMAGE;
    const deployment = await readDeployment(context.cluster.rest, context.namespace, name);
    const { index, container } = pickContainer(deployment, parameters.containerName);
    refuseGoLeftover(deployment, [GO_CORRUPT_CONTAINER, `${GO_ORIGINAL_IMAGE_PREFIX}${container.name}`]);
    const target = deploymentRef(context.namespace, name);
    if (container.image === image) throw new Error(`container ${container.name} of ${describeDeployment(target)} already runs ${image}: there is nothing to corrupt`);
    return {
      type: InjectionType.ImageCorrupt,
      targets: [target],
      summary: `set the image of container ${container.name} of ${describeDeployment(target)} from ${container.image} to ${image}`,
      data: {
        change: {
          uid: deployment.metadata.uid, path: `/spec/template/spec/containers/${index}/image`, container: { index, name: container.name },
          hadOriginal: container.image !== undefined, ...(container.image !== undefined ? { original: container.image } : {}), injected: image,
        },
      },
    };
  },

  /** The operator's repair: the container runs its original image again. */
  repairChecks(plan) {
    const { change } = plan.data;
    const target = plan.targets[0]!;
    if (!change.hadOriginal) return [];
    return [{
      type: "fieldEquals", apiVersion: "apps/v1", kind: "Deployment", name: target.name, namespace: target.namespace,
      fieldPath: `spec.template.spec.containers[${change.container!.index}].image`, expectedValue: String(change.original),
    }];
  },

  /** Journals the original image, then patches that one container's image (guarded by UID, container name and the planned image). */
  async inject(context, plan) {
    const target = plan.targets[0]!;
    const record = await injectFieldChange(context.cluster.rest, target, plan.data.change,
      () => context.journal.write(InjectionType.ImageCorrupt, target, plan.data.change, ttlOption(context)));
    plan.data.acceptedAt = context.now().toISOString();
    return [record];
  },

  /** Confirmed when the API server accepted the unpullable image. */
  async confirm(_context, plan) {
    const { change } = plan.data;
    if (plan.data.acceptedAt === undefined) return { confirmed: false, reason: "the API server did not accept the image" };
    return { confirmed: true, evidence: `the API server accepted image ${String(change.injected)} for container ${change.container!.name} at ${plan.data.acceptedAt}` };
  },

  /** Restores the image only while the container still has the unpullable one: an image the operator set is kept. */
  async revert(context, record) {
    const { rest } = context.cluster;
    if ("goTool" in record.data) {
      const { container, originalImage } = record.data.goTool;
      await revertGoAnnotations(rest, record.target, [GO_CORRUPT_CONTAINER, `${GO_ORIGINAL_IMAGE_PREFIX}${container}`], (deployment) => {
        const index = deployment.spec.template.spec.containers.findIndex((c) => c.name === container);
        if (!originalImage || index < 0 || deployment.spec.template.spec.containers[index]!.image === originalImage) return [];
        return [
          { op: "test", path: `/spec/template/spec/containers/${index}/name`, value: container },
          { op: "replace", path: `/spec/template/spec/containers/${index}/image`, value: originalImage },
        ];
      });
      return;
    }
    await revertFieldChange(rest, record.target, record.data);
  },

  /** Deployments carrying the Go tool's ImageCorrupt annotations. */
  async leftovers(context, namespace) {
    const found = await deploymentsAnnotated(context.cluster.rest, namespace, (d) => d.metadata.annotations?.[GO_CORRUPT_CONTAINER] !== undefined);
    return found.flatMap((deployment) => {
      const container = deployment.metadata.annotations![GO_CORRUPT_CONTAINER]!;
      const originalImage = deployment.metadata.annotations![`${GO_ORIGINAL_IMAGE_PREFIX}${container}`];
      const target = deploymentRef(deployment.metadata.namespace, deployment.metadata.name);
      // Without the original image there is nothing to restore; the annotation alone is removed.
      return [{ type: InjectionType.ImageCorrupt, target, data: { goTool: { container, originalImage: originalImage ?? "" } } }];
    });
  },
});

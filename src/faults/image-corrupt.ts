import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker, isKubernetesName } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

const DEFAULT_IMAGE = "registry.invalid/nonexistent:chaos";

/** Points a container at an image that cannot be pulled, so new pods never start. */
export const imageCorrupt = defineFaultDriver({
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

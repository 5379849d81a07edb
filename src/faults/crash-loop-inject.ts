import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Replaces a container's command with one that cannot start, so new pods crash-loop. */
export const crashLoopInject = defineFaultDriver({
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

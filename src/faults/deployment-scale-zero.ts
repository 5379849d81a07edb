import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker } from "./parameters.js";
import { objectNameFrom } from "./skeleton-values.js";

/** Scales a Deployment to zero replicas; the operator is expected to scale it back. */
export const deploymentScaleZero = defineFaultDriver({
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

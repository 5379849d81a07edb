import { InjectionType } from "../experiment/enums.js";
import { CONFIG_MAP_PREFIX, DEFAULT_CONFIG_MAP_NAME, GO_OPERATIONS, OPERATIONS, Operation, parseFaults } from "../sdk/spec.js";
import { defineFaultDriver } from "./driver.js";
import { checker, type ParameterChecker } from "./parameters.js";

/** Operations an SDK-wrapped operator client can be told to fail (the Go tool's nine). */
export const CLIENT_FAULT_OPERATIONS = GO_OPERATIONS;

/**
 * Writes a fault configuration into a ConfigMap that an operator built with the operator-chaos SDK
 * reads; the SDK then fails or delays the operator's own API calls. No effect on other operators.
 */
export const clientFault = defineFaultDriver({
  type: InjectionType.ClientFault,
  summary: "Makes an SDK-instrumented operator's own API calls fail or slow down, via a ConfigMap it watches.",
  scope: "namespaced",
  persistence: "sustained",
  defaultDangerLevel: "low",
  defaultTier: 3,
  parameterDocs: [
    {
      name: "faults",
      required: true,
      description:
        `JSON object: operation (${OPERATIONS.join(", ")}) → {"errorRate": 0..1, "error": "text", "delay": "500ms", "maxDelay": "2s"}; operator-chaos/sdk also reads code, reason, kind, retryAfter, resources, failAfter, maxCount (docs/sdk.md).`,
    },
    {
      name: "configMapName",
      required: false,
      description: "The ConfigMap the SDK watches; must start with operator-chaos-.",
      default: DEFAULT_CONFIG_MAP_NAME,
    },
  ],
  validateParameters(parameters, context) {
    const check = checker(InjectionType.ClientFault, parameters, context);
    const faults = check.nonEmpty("faults", 'a JSON object such as {"get":{"errorRate":0.3,"error":"timeout"}}');
    if (faults !== undefined) checkFaultsJson(check, faults);
    const configMapName = check.value("configMapName");
    if (configMapName !== undefined && check.kubernetesName("configMapName", configMapName) && !configMapName.startsWith(CONFIG_MAP_PREFIX)) {
      check.report("configMapName", "parameter.config-map-prefix", `the SDK only reads ConfigMaps whose names start with ${CONFIG_MAP_PREFIX}`, {
        got: JSON.stringify(configMapName),
      });
    }
    return check.issues;
  },
  skeleton: () => ({ faults: '{"get":{"errorRate":0.3,"error":"chaos: injected get failure"}}' }),
});

/**
 * The SDK's own parser decides (src/sdk/spec.ts), so `validate` accepts exactly what an operator
 * will apply. What only our SDK understands (watch, delays in nanoseconds) is a warning: the Go
 * tool's validator refuses it.
 */
function checkFaultsJson(check: ParameterChecker, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    check.report("faults", "parameter.client-faults", `faults is not valid JSON: ${(error as Error).message}`);
    return;
  }
  for (const issue of parseFaults(parsed).issues) {
    const message = issue.path === "faults" ? issue.message : issue.message.startsWith(issue.path) ? issue.message : `${issue.path}: ${issue.message}`;
    check.report("faults", "parameter.client-faults", message, {
      ...(issue.expected ? { expected: issue.expected } : {}), ...(issue.got ? { got: issue.got } : {}), severity: issue.severity,
    });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return;
  for (const [operation, spec] of Object.entries(parsed as Record<string, unknown>)) {
    if (operation === Operation.Watch) {
      check.warn("faults", "parameter.client-faults", `"watch" is not an operation of the Go tool (its SDK counts watches as list); only operator-chaos/sdk faults it`);
    }
    if (spec === null || typeof spec !== "object") continue;
    for (const field of ["delay", "maxDelay", "retryAfter"]) {
      if (typeof (spec as Record<string, unknown>)[field] === "number") {
        check.warn("faults", "parameter.client-faults", `faults.${operation}.${field} in nanoseconds is read by operator-chaos/sdk and the Go SDK, but the Go tool's validator wants a duration string such as "500ms"`);
      }
    }
  }
}

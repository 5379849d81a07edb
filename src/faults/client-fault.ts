import { Duration } from "../experiment/duration.js";
import { InjectionType } from "../experiment/enums.js";
import { defineFaultDriver } from "./driver.js";
import { checker, type ParameterChecker } from "./parameters.js";

/** Operations an SDK-wrapped operator client can be told to fail. */
export const CLIENT_FAULT_OPERATIONS = ["get", "list", "create", "update", "delete", "patch", "deleteAllOf", "reconcile", "apply"] as const;
const FAULT_SPEC_FIELDS = ["errorRate", "error", "delay", "maxDelay"];
const MAX_CLIENT_DELAY = Duration.parse("5m");
const CONFIG_MAP_PREFIX = "operator-chaos-";

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
        'JSON object: operation (get, list, create, update, delete, patch, deleteAllOf, reconcile, apply) → {"errorRate": 0..1, "error": "text", "delay": "500ms", "maxDelay": "2s"}.',
    },
    {
      name: "configMapName",
      required: false,
      description: "The ConfigMap the SDK watches; must start with operator-chaos-.",
      default: "operator-chaos-config",
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

function checkFaultsJson(check: ParameterChecker, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    check.report("faults", "parameter.client-faults", `faults is not valid JSON: ${(error as Error).message}`);
    return;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    check.report("faults", "parameter.client-faults", "faults must be a JSON object keyed by operation", {
      expected: "a JSON object",
      got: Array.isArray(parsed) ? "a JSON array" : `JSON ${parsed === null ? "null" : typeof parsed}`,
    });
    return;
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) {
    check.report("faults", "parameter.client-faults", "faults must name at least one operation", {
      expected: `some of ${CLIENT_FAULT_OPERATIONS.join(", ")}`,
    });
  }
  for (const [operation, spec] of entries) {
    const where = `faults.${operation}`;
    if (!(CLIENT_FAULT_OPERATIONS as readonly string[]).includes(operation)) {
      check.report("faults", "parameter.client-faults", `${JSON.stringify(operation)} is not an operation the SDK can fault`, {
        expected: `one of ${CLIENT_FAULT_OPERATIONS.join(", ")}`,
        got: JSON.stringify(operation),
      });
      continue;
    }
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
      check.report("faults", "parameter.client-faults", `${where} must be a JSON object`, { expected: '{"errorRate": …, "error": …}' });
      continue;
    }
    const fields = spec as Record<string, unknown>;
    const rate = fields["errorRate"];
    if (rate !== undefined && (typeof rate !== "number" || rate < 0 || rate > 1)) {
      check.report("faults", "parameter.client-faults", `${where}.errorRate must be a number from 0 to 1`, {
        expected: "a number from 0 to 1",
        got: JSON.stringify(rate),
      });
    }
    if (fields["error"] !== undefined && typeof fields["error"] !== "string") {
      check.report("faults", "parameter.client-faults", `${where}.error must be a string`, { got: JSON.stringify(fields["error"]) });
    }
    for (const delayField of ["delay", "maxDelay"]) {
      const delay = fields[delayField];
      if (delay === undefined) continue;
      if (typeof delay !== "string") {
        check.report("faults", "parameter.client-faults", `${where}.${delayField} must be a duration string such as "500ms"`, {
          got: JSON.stringify(delay),
        });
        continue;
      }
      const parsedDelay = Duration.tryParse(delay);
      if (!parsedDelay.ok) {
        check.report("faults", "parameter.client-faults", `${where}.${delayField} is not a valid duration: ${parsedDelay.error}`);
      } else if (parsedDelay.value.compare(MAX_CLIENT_DELAY) > 0) {
        check.report("faults", "parameter.client-faults", `${where}.${delayField} is too long`, {
          expected: `at most ${MAX_CLIENT_DELAY.toString()}`,
          got: delay,
        });
      }
    }
    for (const field of Object.keys(fields)) {
      if (!FAULT_SPEC_FIELDS.includes(field)) {
        check.warn("faults", "parameter.client-faults", `${where}.${field} is not a fault setting and is ignored`, {
          expected: `one of ${FAULT_SPEC_FIELDS.join(", ")}`,
        });
      }
    }
  }
}

// Faults in a unit test, without a cluster or a ConfigMap: the TypeScript counterpart of the Go
// SDK's NewForTest. Give `chaos.injector` to the code under test the way the operator does in
// production (wrapReconcile, chaosFetch, its own client), then turn faults on and off per test.
import { ChaosInjector } from "./injector.js";
import { parseFaults, type FaultConfig, type Operation } from "./spec.js";

export interface TestChaos {
  readonly injector: ChaosInjector;
  /**
   * Turns one operation's fault on, written as in the ConfigMap (`{"errorRate": 1, "code": 409}`);
   * a spec that would be refused in the ConfigMap throws here too.
   */
  activate(operation: Operation | `${Operation}`, spec: Record<string, unknown>): void;
  /** Turns one operation's fault off (every fault when no operation is given). */
  deactivate(operation?: Operation | `${Operation}`): void;
  readonly config: FaultConfig;
}

export function chaosForTest(options: { random?: () => number; configMapName?: string } = {}): TestChaos {
  const injector = new ChaosInjector(options);
  const specs = new Map<string, Record<string, unknown>>();
  const apply = () => {
    const parsed = parseFaults(Object.fromEntries(specs));
    const errors = parsed.issues.filter((issue) => issue.severity === "error" && issue.path !== "faults");
    if (errors.length > 0) throw new Error(`chaosForTest: ${errors.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`);
    injector.configure({ active: specs.size > 0, faults: parsed.faults });
  };
  return {
    injector,
    activate(operation, spec) {
      const previous = specs.get(operation);
      specs.set(operation, spec);
      try {
        apply();
      } catch (error) {
        if (previous) specs.set(operation, previous);
        else specs.delete(operation);
        throw error;
      }
    },
    deactivate(operation) {
      if (operation === undefined) specs.clear();
      else specs.delete(operation);
      apply();
    },
    get config() {
      return injector.current;
    },
  };
}

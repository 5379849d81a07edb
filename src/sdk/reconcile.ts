// The TypeScript counterpart of the Go SDK's WrapReconciler: a `reconcile` fault fails (or delays)
// a reconcile before it runs, the way a controller sees a reconcile that errored — so the
// operator's requeue and back-off are what gets tested.
import { ChaosError, chaosDelay, type ChaosInjector } from "./injector.js";
import { Operation } from "./spec.js";

export type ReconcileFunction<Args extends unknown[], Result> = (...args: Args) => Promise<Result>;

/**
 * Wraps a reconcile function. On an injected failure the wrapper rejects with a ChaosError without
 * calling `reconcile`; a delay is waited first. An AbortSignal, when the function's last argument
 * is one, cuts the delay short.
 */
export function wrapReconcile<Args extends unknown[], Result>(reconcile: ReconcileFunction<Args, Result>, injector: ChaosInjector): ReconcileFunction<Args, Result> {
  return async (...args: Args) => {
    if (injector.active) {
      const decision = injector.decide(Operation.Reconcile);
      const last = args[args.length - 1];
      await chaosDelay(decision.delayMs, last instanceof AbortSignal ? last : undefined);
      if (decision.failure) throw new ChaosError(Operation.Reconcile, decision.failure);
    }
    return reconcile(...args);
  };
}

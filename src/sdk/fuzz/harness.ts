// A reconciler fuzz harness on fast-check (operator-chaos/sdk/fuzz). It drives an operator's
// reconcile against a world the author supplies (an in-memory store, or a namespace of a real API
// server), interleaving faults injected into the operator's own API calls (through the SDK
// injector the operator already uses), operator restarts between any two writes, and changes other
// actors make to managed objects; after every step and once the operator has settled it checks the
// author's properties, and that a reconcile of a settled world writes nothing (idempotence). A
// failing run is shrunk to a minimal sequence of steps, printed so it can be replayed as a test.
import fc from "fast-check";
import { ChaosInjector } from "../injector.js";
import type { ClassifiedRequest } from "../request.js";
import { Operation, parseFaults } from "../spec.js";

/** How an injected call fails. */
export type FuzzFailure = "conflict" | "throttled" | "serverError" | "timeout" | "connectionReset";
export const FUZZ_FAILURES: readonly FuzzFailure[] = ["conflict", "throttled", "serverError", "timeout", "connectionReset"];

export type FuzzStep =
  | { readonly kind: "reconcile" }
  /** The next `times` calls of `operation` fail. */
  | { readonly kind: "fault"; readonly operation: Operation; readonly failure: FuzzFailure; readonly times: number }
  /** The operator is restarted after `afterWrites` more writes (0: now), mid-reconcile if it comes to that. */
  | { readonly kind: "restart"; readonly afterWrites: number }
  /** Another actor changes the world (one of the target's named changes). */
  | { readonly kind: "change"; readonly name: string };

export interface FuzzProperty<World> {
  readonly name: string;
  /** `always`: after every step; `settled`: once the operator has settled with no faults left. */
  readonly when: "always" | "settled";
  /** A description of the violation, or undefined when the property holds. */
  check(world: World): string | undefined | Promise<string | undefined>;
}

export interface FuzzTarget<World, Operator> {
  readonly name: string;
  /** A fresh world with the seed objects, for each run. */
  world(): World | Promise<World>;
  /** Starts the operator (again, after a restart: a new process, nothing kept in memory) with its client on `injector`. */
  start(world: World, injector: ChaosInjector): Operator | Promise<Operator>;
  /** One reconcile pass of everything the operator manages. Errors are what a controller would requeue. */
  reconcile(operator: Operator, world: World): Promise<void>;
  /** Changes other actors make, by name. */
  readonly changes: Readonly<Record<string, (world: World) => void | Promise<void>>>;
  readonly properties: readonly FuzzProperty<World>[];
  /** Operations faults are drawn from (default get, list, create, update, patch, delete). */
  readonly operations?: readonly Operation[];
  /** Reconcile passes allowed to settle at the end (default 5). */
  readonly settleReconciles?: number;
  /** Check that a reconcile of the settled world changes nothing (default true). */
  readonly idempotent?: boolean;
  /**
   * The world's version (e.g. its highest resourceVersion), for the idempotence check: a reconcile
   * of the settled world must leave it as it is. Without it, every write the operator attempts counts
   * (even one the server refused).
   */
  version?(world: World): string | number;
}

export interface FuzzOptions {
  /** Fixed seed: the same seed finds the same failure. Default 42. */
  seed?: number;
  /** Runs (sequences tried). Default 100. */
  runs?: number;
  /** Longest sequence. Default 12. */
  maxSteps?: number;
}

export interface FuzzResult {
  readonly failed: boolean;
  readonly runs: number;
  readonly seed: number;
  readonly durationMs: number;
  /** The minimal failing sequence and what it violates. */
  readonly steps?: readonly FuzzStep[];
  readonly violation?: string;
  /** fast-check's path to the shrunk case (with the seed, replays it exactly). */
  readonly path?: string;
  /** What to print: the minimal sequence and a replay line, or a summary of a clean campaign. */
  readonly report: string;
}

/** Thrown from inside an API call to cut a reconcile short: the process "dies" between two writes. */
export class OperatorRestart extends Error {
  override readonly name = "OperatorRestart";
}

const WRITES = new Set<Operation>([Operation.Create, Operation.Update, Operation.Patch, Operation.Delete, Operation.DeleteAllOf, Operation.Apply]);
const DEFAULT_OPERATIONS = [Operation.Get, Operation.List, Operation.Create, Operation.Update, Operation.Patch, Operation.Delete];
/** Errors no injected fault explains: a reconcile that throws one has a bug. */
const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError];

function specFor(failure: FuzzFailure, times: number): Record<string, unknown> {
  const common = { errorRate: 1, maxCount: times, error: `fuzz: ${failure}` };
  switch (failure) {
    case "conflict": return { ...common, code: 409, reason: "Conflict" };
    case "throttled": return { ...common, code: 429, retryAfter: "1s" };
    case "serverError": return { ...common, code: 500 };
    case "timeout": return { ...common, kind: "timeout" };
    case "connectionReset": return { ...common, kind: "connectionReset" };
  }
}

/** One line per step, as printed in a report. */
export function formatSteps(steps: readonly FuzzStep[]): string {
  return steps.map((step, index) => {
    const text = step.kind === "reconcile" ? "reconcile"
      : step.kind === "fault" ? `fault: the next ${step.times} ${step.operation} call(s) fail (${step.failure})`
        : step.kind === "restart" ? (step.afterWrites === 0 ? "restart the operator" : `restart the operator after ${step.afterWrites} more write(s)`)
          : `change: ${step.name}`;
    return `  ${index + 1}. ${text}`;
  }).join("\n");
}

/**
 * Runs one sequence of steps from a fresh world; returns the first violation, or undefined.
 * The same function replays a printed sequence in a test.
 */
export async function replayFuzz<World, Operator>(target: FuzzTarget<World, Operator>, steps: readonly FuzzStep[]): Promise<string | undefined> {
  const world = await target.world();
  let writes = 0;
  let restartAt: number | undefined;
  const injector = new ChaosInjector({
    random: () => 0,
    observe: (request: ClassifiedRequest) => {
      if (!WRITES.has(request.operation)) return;
      if (restartAt !== undefined && writes >= restartAt) {
        restartAt = undefined;
        throw new OperatorRestart(`restarted before write ${writes + 1}`);
      }
      writes += 1;
    },
  });
  const faults = new Map<string, Record<string, unknown>>();
  const applyFaults = () => injector.configure({ active: faults.size > 0, faults: parseFaults(Object.fromEntries(faults)).faults });
  let operator = await target.start(world, injector);
  const restart = async () => {
    operator = await target.start(world, injector);
  };
  const reconcile = async (): Promise<string | undefined> => {
    try {
      await target.reconcile(operator, world);
    } catch (error) {
      if (error instanceof OperatorRestart) await restart();
      else if (PROGRAMMING_ERRORS.some((type) => error instanceof type)) return `reconcile crashed: ${(error as Error).stack ?? String(error)}`;
    }
    return undefined;
  };
  const check = async (when: "always" | "settled"): Promise<string | undefined> => {
    for (const property of target.properties) {
      if (property.when !== when && property.when !== "always") continue;
      const problem = await property.check(world);
      if (problem !== undefined) return `property "${property.name}" violated: ${problem}`;
    }
    return undefined;
  };

  for (const step of steps) {
    let problem: string | undefined;
    if (step.kind === "reconcile") problem = await reconcile();
    else if (step.kind === "fault") {
      faults.set(step.operation, specFor(step.failure, step.times));
      applyFaults();
    } else if (step.kind === "restart") {
      if (step.afterWrites === 0) await restart();
      else restartAt = writes + step.afterWrites;
    } else {
      const change = target.changes[step.name];
      if (!change) throw new Error(`the target has no change named ${JSON.stringify(step.name)}`);
      await change(world);
    }
    problem ??= await check("always");
    if (problem) return problem;
  }

  // Settle: no faults, no pending restart (a restart still armed happens now), then reconcile.
  faults.clear();
  applyFaults();
  if (restartAt !== undefined) {
    restartAt = undefined;
    await restart();
  }
  for (let pass = 0; pass < (target.settleReconciles ?? 5); pass += 1) {
    const problem = await reconcile();
    if (problem) return problem;
  }
  const settled = await check("settled");
  if (settled) return settled;
  if (target.idempotent !== false) {
    const before = writes;
    const version = target.version?.(world);
    const problem = await reconcile();
    if (problem) return problem;
    if (target.version ? target.version(world) !== version : writes !== before) {
      return `not idempotent: a reconcile of the settled world still changed it (${writes - before} write(s) attempted)`;
    }
  }
  return undefined;
}

/** The arbitrary of step sequences for a target (exported for authors who compose their own properties). */
export function fuzzSteps(target: { readonly changes: Readonly<Record<string, unknown>>; readonly operations?: readonly Operation[] }, maxSteps = 12): fc.Arbitrary<FuzzStep[]> {
  const changes = Object.keys(target.changes);
  const step = fc.oneof(
    { weight: 4, arbitrary: fc.constant<FuzzStep>({ kind: "reconcile" }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("fault" as const),
        operation: fc.constantFrom(...(target.operations ?? DEFAULT_OPERATIONS)),
        failure: fc.constantFrom(...FUZZ_FAILURES),
        times: fc.integer({ min: 1, max: 3 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("restart" as const), afterWrites: fc.integer({ min: 0, max: 3 }) }) },
    ...(changes.length > 0 ? [{ weight: 2, arbitrary: fc.record({ kind: fc.constant("change" as const), name: fc.constantFrom(...changes) }) }] : []),
  );
  return fc.array(step, { maxLength: maxSteps });
}

/** Runs a campaign: `runs` random sequences (fixed seed), the first failing one shrunk to a minimal one. */
export async function fuzzReconciler<World, Operator>(target: FuzzTarget<World, Operator>, options: FuzzOptions = {}): Promise<FuzzResult> {
  const seed = options.seed ?? 42;
  const runs = options.runs ?? 100;
  const started = Date.now();
  let lastViolation: string | undefined;
  const property = fc.asyncProperty(fuzzSteps(target, options.maxSteps ?? 12), async (steps) => {
    lastViolation = await replayFuzz(target, steps);
    if (lastViolation !== undefined) throw new Error(lastViolation);
  });
  const details = await fc.check(property, { seed, numRuns: runs });
  const durationMs = Date.now() - started;
  if (!details.failed || !details.counterexample) {
    return { failed: false, runs: details.numRuns, seed, durationMs, report: `fuzz ${target.name}: no property violated in ${details.numRuns} runs (seed ${seed}, ${durationMs} ms)` };
  }
  const steps = details.counterexample[0];
  // The shrunk case's own violation (the last one recorded may be another candidate's).
  const violation = (await replayFuzz(target, steps)) ?? lastViolation ?? "failed";
  const report = [
    `fuzz ${target.name}: ${violation}`,
    `  found in run ${details.numRuns} of ${runs} (seed ${seed}), shrunk ${details.numShrinks} time(s) to ${steps.length} step(s):`,
    formatSteps(steps),
    `  replay: expect(await replayFuzz(target, ${JSON.stringify(steps)})).toBeUndefined()`,
  ].join("\n");
  return { failed: true, runs: details.numRuns, seed, durationMs, steps, violation, ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}), report };
}

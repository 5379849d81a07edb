// operator-chaos/sdk/fuzz: the reconciler fuzz harness. Needs fast-check (a peer dependency the
// operator's tests install; the rest of the SDK does not load it). See docs/sdk.md.
export {
  FUZZ_FAILURES, OperatorRestart, formatSteps, fuzzReconciler, fuzzSteps, replayFuzz,
  type FuzzFailure, type FuzzOptions, type FuzzProperty, type FuzzResult, type FuzzStep, type FuzzTarget,
} from "./harness.js";

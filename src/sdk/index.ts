// operator-chaos/sdk: client-side faults for TypeScript operators, driven by the same ConfigMap
// (`operator-chaos-config`, key `config`) as the Go tool's SDK, so one ClientFault experiment drives
// a Go operator and a TypeScript one. No dependency beyond Node: the @kubernetes/client-node
// adapter takes the library from the caller. See docs/sdk.md.
export {
  CONFIG_DATA_KEY, CONFIG_MAP_PREFIX, DEFAULT_CONFIG_MAP_NAME, DEFAULT_STATUS, FailureKind, GO_OPERATIONS, INACTIVE, MAX_DELAY,
  Operation, OPERATIONS, STATUS_REASONS, configTextFor, parseConfigData, parseConfigText, parseFaults,
  type FaultConfig, type FaultSpec, type ParseResult, type SpecIssue,
} from "./spec.js";
export { classifyRequest, resourceMatches, type ApiRequest, type ClassifiedRequest } from "./request.js";
export {
  CHAOS_HEADER, ChaosError, ChaosInjector, chaosDelay, failureFor, isChaosError, statusBody,
  type Decision, type InjectedFailure, type InjectionCounts, type InjectorOptions,
} from "./injector.js";
export {
  APPLIED_AT_ANNOTATION, ChaosConfigFeed, INJECTED_ANNOTATION, ChaosEventReason, DIGEST_ANNOTATION, chaosEvent, configDigest,
  type ChaosStatus, type ConfigMapLike,
} from "./configmap.js";
export { wrapReconcile, type ReconcileFunction } from "./reconcile.js";
export { chaosFetch } from "./fetch.js";
export { chaosHttpLibrary, makeChaosApiClient, watchChaosConfigMap, type ClientNodeModule, type ConfigMapWatchOptions } from "./client-node.js";
export { chaosForTest, type TestChaos } from "./testing.js";

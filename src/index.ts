// operator-chaos as a library: the CLI, a future controller mode and users' own test suites all
// drive the same engine through these exports.
export { runExperiment, RunRefusedError, type RunOptions, type RunResult } from "./engine/run.js";
export { clean, type CleanOptions, type CleanResult } from "./engine/clean.js";
export { clusterAccess } from "./engine/context.js";
export { loadExperimentFile, validateFile, validateText, validateExperimentValue } from "./experiment/validate.js";
export { formatDiagnostic } from "./experiment/diagnostic.js";
export { Duration } from "./experiment/duration.js";
export type { ChaosExperiment } from "./experiment/types.js";
export { faultDrivers, faultSpecs, findFaultDriver, findFaultSpec, findRunnableFault, getFaultDriver, getFaultSpec, isRunnable, runnableFaults } from "./faults/registry.js";
export type { AnyRunnableFault, FaultDriver, FaultSpec, RunnableFault } from "./faults/driver.js";
export { evaluate, Verdict, DeviationType, type Evaluation } from "./verdict/verdict.js";
export type { ExperimentReport } from "./report/model.js";
export { loadKubeConfig } from "./kube/client.js";

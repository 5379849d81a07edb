// Preloaded (node --import) into CLI processes the reliability harness starts with a test hook
// variable: the second key that src/engine/crash-points.ts requires before it reads those variables.
globalThis[Symbol.for("operator-chaos.reliability-harness.test-hooks")] = true;

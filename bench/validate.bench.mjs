#!/usr/bin/env node
// Benchmarks of `validate`: corpus throughput (end to end and in-process) and start-up time.
// Prints one JSON line per measure: {name, value, unit, command}. Needs a build (npm run build).
// Usage: node bench/validate.bench.mjs [--runs N]
// The corpus is the Go tool's (OPERATOR_CHAOS_CORPUS, else ../shared/corpus beside the repository) when
// it is there, else the project's own fixtures (test/fixtures), so the benchmark runs on a fresh clone.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const main = path.join(root, "dist", "src", "cli", "main.js");
const goCorpus = path.resolve(process.env.OPERATOR_CHAOS_CORPUS ?? path.join(root, "..", "shared", "corpus"));
const corpus = existsSync(path.join(goCorpus, "experiments")) ? goCorpus : path.join(root, "test", "fixtures");
const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag === -1 ? 15 : Number(process.argv[runsFlag + 1]);

if (!existsSync(main)) {
  console.error("dist/src/cli/main.js is missing: run `npm run build` first");
  process.exit(2);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Median wall time (ms) of running the CLI with `args`; the exit status must be `status`. */
function timeCommand(args, status = 0, nodeArgs = [main]) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [...nodeArgs, ...args], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== status) throw new Error(`operator-chaos ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  return median(times);
}

function emit(name, value, unit, command) {
  console.log(JSON.stringify({ name, value: Math.round(value * 10) / 10, unit, command }));
}

function yamlFiles(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? yamlFiles(full) : /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

const corpusArgs = [path.join(corpus, "experiments"), path.join(corpus, "knowledge")];
if (corpus !== goCorpus) console.error(`bench: no Go corpus at ${goCorpus}; measuring the project's fixtures instead`);
const files = corpusArgs.flatMap(yamlFiles);

// Start-up: `validate --help` must not load the validator; `validate one.yaml` loads it once.
// Node's own start-up on this machine is the floor both are measured against.
emit("node start-up (baseline)", timeCommand([], 0, ["-e", "0"]), "ms", "node -e 0");
emit("validate --help start-up", timeCommand(["validate", "--help"]), "ms", "operator-chaos validate --help");
emit("--help start-up", timeCommand(["--help"]), "ms", "operator-chaos --help");
emit("validate one file", timeCommand(["validate", "experiments/llamastack/pod-kill.yaml"]), "ms", "operator-chaos validate experiments/llamastack/pod-kill.yaml");
// The same through the bundled CLI (scripts/bundle.mjs, part of `npm run build`).
const bundle = path.join(root, "dist", "bundle", "operator-chaos.mjs");
if (existsSync(bundle)) {
  emit("--help start-up (bundle)", timeCommand(["--help"], 0, [bundle]), "ms", "node dist/bundle/operator-chaos.mjs --help");
  emit("validate one file (bundle)", timeCommand(["validate", "experiments/llamastack/pod-kill.yaml"], 0, [bundle]), "ms", "node dist/bundle/operator-chaos.mjs validate experiments/llamastack/pod-kill.yaml");
}
// The Go tool, when its binary is at hand (bench/compare.md).
const goBin = process.env.OPERATOR_CHAOS_GO_BIN;
if (goBin) {
  const timeGo = (args) => {
    const times = [];
    for (let run = 0; run < runs; run++) {
      const started = process.hrtime.bigint();
      const result = spawnSync(goBin, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (result.status !== 0) throw new Error(`${goBin} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    }
    return median(times);
  };
  emit("--help start-up (Go tool)", timeGo(["--help"]), "ms", "$OPERATOR_CHAOS_GO_BIN --help");
  emit("validate one file (Go tool)", timeGo(["validate", "experiments/llamastack/pod-kill.yaml"]), "ms", "$OPERATOR_CHAOS_GO_BIN validate experiments/llamastack/pod-kill.yaml");
}

// End to end over the corpus, start-up included.
const corpusMs = timeCommand(["validate", "-q", ...corpusArgs]);
emit("corpus throughput (CLI, end to end)", files.length / (corpusMs / 1000), "files/s", `operator-chaos validate -q ${corpusArgs.join(" ")} (${files.length} files)`);
emit("corpus wall time (CLI)", corpusMs, "ms", `operator-chaos validate -q ${corpusArgs.join(" ")}`);

// In-process: the validator alone, warm, files read from disk each round.
const { validateFile } = await import(pathToFileURL(path.join(root, "dist", "src", "experiment", "validate.js")).href);
await Promise.all(files.map((file) => validateFile(file))); // warm-up
const rounds = [];
for (let round = 0; round < Math.max(3, Math.min(runs, 10)); round++) {
  const started = process.hrtime.bigint();
  for (const file of files) await validateFile(file);
  rounds.push(Number(process.hrtime.bigint() - started) / 1e6);
}
emit("corpus throughput (in-process, warm)", files.length / (median(rounds) / 1000), "files/s", "validateFile() over the corpus, sequential");

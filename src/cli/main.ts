#!/usr/bin/env node
// The `operator-chaos` command. Each subcommand lives in src/cli/<name>.ts and exports a function that
// registers it; only the module of the subcommand being run is imported (all of them for top-level
// help), so `validate` never pays for the Kubernetes client and `--help` answers at once.
//
// Exit status: 0 success, 1 failure (invalid input, verdict not Resilient), 2 usage error.

import { Command, CommanderError } from "commander";

type Register = (program: Command) => void;

/** To add a subcommand: create src/cli/<name>.ts exporting a register function, and list it here. */
const SUBCOMMANDS: ReadonlyArray<{ readonly name: string; readonly load: () => Promise<Register> }> = [
  { name: "validate", load: async () => (await import("./validate.js")).registerValidateCommand },
  { name: "init", load: async () => (await import("./init.js")).registerInitCommand },
  { name: "types", load: async () => (await import("./types.js")).registerTypesCommand },
  { name: "run", load: async () => (await import("./run.js")).registerRunCommand },
  { name: "clean", load: async () => (await import("./clean.js")).registerCleanCommand },
  { name: "report", load: async () => (await import("./report.js")).registerReportCommand },
  { name: "version", load: async () => (await import("./version.js")).registerVersionCommand },
  { name: "lab", load: async () => (await import("./lab.js")).registerLabCommands },
  { name: "docs", load: async () => (await import("./docs.js")).registerDocsCommand },
  { name: "generate", load: async () => (await import("./generate.js")).registerGenerateCommands },
  { name: "preflight", load: async () => (await import("./preflight.js")).registerPreflightCommand },
  { name: "suite", load: async () => (await import("./suite.js")).registerSuiteCommand },
  { name: "diff", load: async () => (await import("./diff.js")).registerDiffCommand },
  { name: "diff-crds", load: async () => (await import("./diff-crds.js")).registerDiffCrdsCommand },
  { name: "validate-version", load: async () => (await import("./validate-version.js")).registerValidateVersionCommand },
  { name: "controller", load: async () => (await import("./controller.js")).registerControllerCommands },
  { name: "get", load: async () => (await import("./controller-get.js")).registerGetCommand },
  { name: "describe", load: async () => (await import("./controller-get.js")).registerDescribeCommand },
  { name: "simulate-upgrade", load: async () => (await import("./simulate-upgrade.js")).registerSimulateUpgradeCommand },
  { name: "playbook", load: async () => (await import("./playbook.js")).registerPlaybookCommands },
  { name: "explain", load: async () => (await import("./explain.js")).registerExplainCommand },
  { name: "completion", load: async () => (await import("./completion.js")).registerCompletionCommand },
  { name: "dashboard", load: async () => (await import("./dashboard.js")).registerDashboardCommand },
];

/** Commands that describe the whole tree, so every other one is registered with them. */
const NEEDS_ALL = new Set(["completion"]);

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** Commander's own outcomes that are not usage errors. */
const SUCCESSFUL_COMMANDER_CODES = new Set(["commander.helpDisplayed", "commander.version", "commander.executeSubCommandAsync"]);

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("operator-chaos")
    .description("Chaos engineering for Kubernetes operators: break what an operator manages and measure how it recovers.")
    .exitOverride()
    .showSuggestionAfterError(true);
  // The subcommand is the first argument; anything else (help, flags first) loads them all.
  const requested = SUBCOMMANDS.find((subcommand) => subcommand.name === argv[2]);
  for (const subcommand of requested === undefined || NEEDS_ALL.has(requested.name) ? SUBCOMMANDS : [requested]) {
    (await subcommand.load())(program);
  }
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (SUCCESSFUL_COMMANDER_CODES.has(error.code)) return EXIT_OK;
      // `operator-chaos` alone prints help and is a usage error; actions may choose their own status.
      return error.code.startsWith("commander.") ? EXIT_USAGE : error.exitCode;
    }
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    // Commands signal bad arguments they check themselves with an error named UsageError.
    return error instanceof Error && error.name === "UsageError" ? EXIT_USAGE : EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv);

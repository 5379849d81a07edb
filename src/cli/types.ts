// `operator-chaos types`: the fault types, read from the same registry the validator uses.

import type { Command } from "commander";
import type { FaultSpec } from "../faults/driver.js";
import { isRunnable } from "../faults/registry.js";
import { colours, statusColour } from "./colour.js";
import { documentExitCodes, isStructured, OutputFormat, outputOption, printStructured, renderNames } from "./output.js";

export interface FaultTypeDescription {
  readonly type: string;
  readonly summary: string;
  readonly dangerLevel: string;
  readonly scope: string;
  readonly scopeNote?: string;
  readonly persistence: string;
  readonly tier: number;
  /** Whether `run` can inject it today (its driver has plan/inject/confirm/revert); otherwise validate-only. */
  readonly runnable: boolean;
  readonly requiredParameters: readonly string[];
  readonly requiredOneOf: readonly (readonly string[])[];
  readonly parameters: readonly { name: string; required: boolean; description: string; default?: string; values?: readonly string[] }[];
}

export function registerTypesCommand(program: Command): void {
  const command = program
    .command("types")
    .summary("list the fault types")
    .description("List every fault type with its default danger level, scope, whether it is instantaneous or sustained, and its required parameters.")
    .addOption(outputOption([OutputFormat.Text, OutputFormat.Json, OutputFormat.Yaml, OutputFormat.Name]))
    .action(async (flags: { output: OutputFormat }) => {
      const { faultSpecs } = await import("../faults/registry.js");
      if (isStructured(flags.output)) await printStructured(faultSpecs().map(describeFaultType), flags.output);
      else if (flags.output === OutputFormat.Name) process.stdout.write(renderNames(faultSpecs().map((spec) => spec.type)));
      else process.stdout.write(renderTypes(faultSpecs(), "text"));
    });
  documentExitCodes(command, { 0: "listed" });
}

export function describeFaultType(driver: FaultSpec): FaultTypeDescription {
  return {
    type: driver.type,
    summary: driver.summary,
    dangerLevel: driver.defaultDangerLevel,
    scope: driver.scope,
    ...(driver.scopeNote !== undefined ? { scopeNote: driver.scopeNote } : {}),
    persistence: driver.persistence,
    tier: driver.defaultTier,
    runnable: isRunnable(driver.type),
    requiredParameters: driver.requiredParameters,
    requiredOneOf: driver.requiredOneOf ?? [],
    parameters: driver.parameterDocs.map((doc) => ({ ...doc })),
  };
}

export function renderTypes(drivers: readonly FaultSpec[], format: "text" | "json"): string {
  const described = drivers.map(describeFaultType);
  if (format === "json") return `${JSON.stringify(described, null, 2)}\n`;
  const header = ["TYPE", "DANGER", "SCOPE", "PERSISTENCE", "RUN", "REQUIRED PARAMETERS"];
  const rows = described.map((entry) => [
    entry.type,
    entry.dangerLevel,
    entry.scopeNote === undefined ? entry.scope : `${entry.scope}*`,
    entry.persistence,
    entry.runnable ? "yes" : "no",
    [...entry.requiredParameters, ...entry.requiredOneOf.map((group) => `one of ${group.join("|")}`)].join(", ") || "-",
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  // Padded first, coloured after: escape codes must not count towards the widths.
  const line = (cells: readonly string[], colour = (cell: string, _column: number) => cell): string =>
    cells.map((cell, column) => colour(column === cells.length - 1 ? cell : cell.padEnd(widths[column]!), column)).join("  ");
  const c = colours();
  const colourRow = (cell: string, column: number) => (column === 1 ? statusColour(cell.trimEnd(), c) + cell.slice(cell.trimEnd().length) : cell);
  const notes = described
    .filter((entry) => entry.scopeNote !== undefined)
    .map((entry) => `* ${entry.type}: ${entry.scopeNote}`);
  return [c.bold(line(header)), ...rows.map((row) => line(row, colourRow)), "", ...notes, "RUN: whether `run` can inject the type today; the others are validated only.", "Details of every parameter: operator-chaos types -o json", ""].join("\n");
}

// The kubectl-like conventions every command that prints objects shares: `-o text|json|yaml|name`, `-q`,
// exit codes in `--help`, `--request-timeout` and `-v N` on cluster commands. One place, so that each
// command declares what it supports and the wording and behaviour are the same everywhere.

import { InvalidArgumentError, Option, type Command } from "commander";

/** Wire strings of `-o`. */
export enum OutputFormat {
  Text = "text",
  Json = "json",
  Yaml = "yaml",
  Name = "name",
  Markdown = "markdown",
}

/** `-o, --output` limited to the formats a command supports (commander rejects others: exit 2). */
export function outputOption(formats: readonly OutputFormat[], fallback: OutputFormat = OutputFormat.Text): Option {
  return new Option("-o, --output <format>", `output format: ${formats.join(", ")}`).choices(formats).default(fallback);
}

export function quietOption(what = "print only the result (no progress, no summary lines)"): Option {
  return new Option("-q, --quiet", what);
}

/** Whether the format is a machine-readable rendering of the command's result object. */
export function isStructured(format: string): format is OutputFormat.Json | OutputFormat.Yaml {
  return format === OutputFormat.Json || format === OutputFormat.Yaml;
}

/**
 * Renders a result object as JSON or YAML, ending with a newline. YAML is loaded lazily (start-up cost);
 * `undefined` fields are dropped first so that both formats carry exactly the same object.
 */
export async function renderStructured(value: unknown, format: OutputFormat.Json | OutputFormat.Yaml): Promise<string> {
  const plain = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  if (format === OutputFormat.Json) return `${JSON.stringify(plain, null, 2)}\n`;
  const { stringify } = await import("yaml");
  // No aliases: a reader should see every value where it belongs, as kubectl prints it.
  return stringify(plain, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** Writes a structured rendering to stdout. */
export async function printStructured(value: unknown, format: OutputFormat.Json | OutputFormat.Yaml): Promise<void> {
  process.stdout.write(await renderStructured(value, format));
}

/** `-o name`: one `kind/name` per line, as kubectl prints it. */
export function renderNames(names: readonly string[]): string {
  return names.map((name) => `${name}\n`).join("");
}

/** Exit statuses shared by every command; a command adds its own meanings. */
export const EXIT_USAGE_TEXT = "usage error (unknown flag, bad value, missing argument)";

/** Appends an "Exit status:" section to the command's --help. */
export function documentExitCodes(command: Command, codes: Readonly<Record<number, string>>): Command {
  const all: Record<number, string> = { 2: EXIT_USAGE_TEXT, ...codes };
  const lines = Object.entries(all)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, meaning]) => `  ${code.padStart(3)}  ${meaning}`);
  return command.addHelpText("after", `\nExit status:\n${lines.join("\n")}\n`);
}

/** The cluster-connection flags of kubectl: --request-timeout and -v N (requests logged at 6 and above). */
export function addClusterRequestOptions(command: Command): Command {
  return command
    .option("--request-timeout <duration>", "give up on a single API request after this long (e.g. 5s, or seconds; 0 = no limit; default 30s)")
    .addOption(new Option("-v, --v <level>", "log level; 6 and above log every API request (method, URL, status, time) on stderr").argParser(parseLevel))
    .hook("preAction", async (actionCommand) => {
      // Applied to the one transport before the action opens any connection.
      const flags = actionCommand.opts<{ requestTimeout?: string; v?: number }>();
      const { requestSettings } = await import("../kube/transport.js");
      const { requestTimeoutMs } = await import("./cluster-flags.js");
      const timeoutMs = requestTimeoutMs(flags.requestTimeout);
      if (timeoutMs !== undefined) requestSettings.timeoutMs = timeoutMs;
      if ((flags.v ?? 0) >= 6) requestSettings.log = (line) => process.stderr.write(`I ${new Date().toISOString()} ${line}\n`);
    });
}

function parseLevel(text: string): number {
  const level = Number(text);
  if (!Number.isInteger(level) || level < 0 || level > 10) throw new InvalidArgumentError(`-v must be an integer from 0 to 10, got ${JSON.stringify(text)}`);
  return level;
}

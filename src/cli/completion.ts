// `operator-chaos completion bash|zsh|fish`: shell completion generated from the commander tree itself,
// so a new command, option or fault type is completed without anyone editing a script.

import { Argument, type Command } from "commander";
import { INJECTION_TYPES } from "../experiment/enums.js";
import { documentExitCodes } from "./output.js";

const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

/** One command of the tree, flattened: its words after `operator-chaos`, subcommands and options. */
export interface CompletionNode {
  readonly path: readonly string[];
  readonly description: string;
  readonly subcommands: readonly string[];
  readonly options: readonly { readonly short?: string; readonly long?: string; readonly description: string; readonly takesValue: boolean; readonly values: readonly string[] }[];
}

export function registerCompletionCommand(program: Command): void {
  const command = program.command("completion")
    .description("print a shell completion script: source <(operator-chaos completion bash), or put `operator-chaos completion fish | source` in config.fish")
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .action((shell: Shell) => {
      process.stdout.write(completionScript(program, shell));
    });
  documentExitCodes(command, { 0: "printed" });
}

/** Values an option takes: its declared choices, or the fault types for --type. */
function optionValues(option: Command["options"][number]): string[] {
  if (option.argChoices) return [...option.argChoices];
  if (option.long === "--type") return [...INJECTION_TYPES];
  return [];
}

export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: string[]) => {
    nodes.push({
      path,
      description: command.description(),
      subcommands: command.commands.map((sub) => sub.name()),
      options: [...command.options, ...(path.length > 0 ? [] : [])].map((option) => ({
        ...(option.short ? { short: option.short } : {}),
        ...(option.long ? { long: option.long } : {}),
        description: option.description,
        takesValue: option.required || option.optional,
        values: optionValues(option),
      })).concat([{ long: "--help", short: "-h", description: "display help", takesValue: false, values: [] }]),
    });
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return nodes;
}

export function completionScript(program: Command, shell: Shell): string {
  const nodes = completionTree(program);
  const name = program.name();
  if (shell === "fish") return fishScript(name, nodes);
  const bash = bashScript(name, nodes);
  // zsh runs the same function through its bash compatibility layer (bashcompinit ships with zsh).
  return shell === "zsh" ? `#compdef ${name}\nautoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}

const quote = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;
const identifier = (name: string): string => name.replace(/[^A-Za-z0-9]/g, "_");

function bashScript(name: string, nodes: readonly CompletionNode[]): string {
  const fn = `_${identifier(name)}_complete`;
  const cases = nodes.map((node) => {
    const flags = node.options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => flag !== undefined));
    const valued = node.options.filter((option) => option.takesValue);
    const valueCases = valued.map((option) => {
      const pattern = [option.long, option.short].filter(Boolean).join("|");
      // Choices are completed; a value without choices completes file names (paths, durations typed by hand).
      const words = option.values.length > 0 ? `COMPREPLY=($(compgen -W ${quote(option.values.join(" "))} -- "$cur"))` : `COMPREPLY=($(compgen -f -- "$cur"))`;
      return `          ${pattern}) ${words}; return 0 ;;`;
    });
    return [
      `    ${quote(node.path.join(" "))})`,
      valueCases.length > 0 ? `        case "$prev" in\n${valueCases.join("\n")}\n        esac` : "",
      `        if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${quote(flags.join(" "))} -- "$cur")); return 0; fi`,
      node.subcommands.length > 0
        ? `        COMPREPLY=($(compgen -W ${quote(node.subcommands.join(" "))} -- "$cur")); return 0 ;;`
        : `        COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;`,
    ].filter(Boolean).join("\n");
  });
  const subcommandsOf = nodes.map((node) => `    ${quote(node.path.join(" "))}) subs=${quote(node.subcommands.join(" "))} ;;`);
  return `# bash completion for ${name}, generated from its command tree (operator-chaos completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" subs word i
  # The command path: the leading words that name subcommands (flags and their values are skipped).
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$path" in
${subcommandsOf.join("\n")}
    *) subs="" ;;
    esac
    if [[ " $subs " == *" $word "* ]]; then path="\${path:+$path }$word"; fi
  done
  case "$path" in
${cases.join("\n")}
  esac
}
complete -o default -F ${fn} ${name}
`;
}

function fishScript(name: string, nodes: readonly CompletionNode[]): string {
  const lines = [`# fish completion for ${name}, generated from its command tree (operator-chaos completion fish)`, `complete -c ${name} -f`];
  for (const node of nodes) {
    // The condition: every word of the path seen, and no subcommand of this node yet.
    const seen = node.path.map((word) => `__fish_seen_subcommand_from ${word}`);
    const notDeeper = node.subcommands.length > 0 ? [`not __fish_seen_subcommand_from ${node.subcommands.join(" ")}`] : [];
    const condition = node.path.length === 0 ? "__fish_use_subcommand" : [...seen, ...notDeeper].join("; and ");
    const children = nodes.filter((child) => child.path.length === node.path.length + 1 && node.path.every((word, i) => child.path[i] === word));
    for (const child of children) {
      lines.push(`complete -c ${name} -n ${quote(condition)} -a ${quote(child.path.at(-1)!)} -d ${quote(firstLine(child.description))}`);
    }
    for (const option of node.options) {
      const flags = [option.long ? `-l ${option.long.slice(2)}` : "", option.short ? `-s ${option.short.slice(1)}` : ""].filter(Boolean).join(" ");
      const value = option.values.length > 0 ? ` -x -a ${quote(option.values.join(" "))}` : option.takesValue ? " -r -F" : "";
      lines.push(`complete -c ${name} -n ${quote(condition)} ${flags}${value} -d ${quote(firstLine(option.description))}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

// The per-operator "failure modes" page: what each experiment breaks, how dangerous it is, what the
// operator is expected to do, and the experiment itself. The page has the layout of the Go tool's
// generated site/docs/use-cases/<operator>/failure-modes.md: a Coverage table (one row per experiment,
// sorted by file name), then per experiment its name, type, danger level, component, hypothesis and
// the YAML exactly as written in its file. Rendered as Markdown or as a self-contained HTML page.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { formatDiagnostic } from "../experiment/diagnostic.js";
import type { ChaosExperiment } from "../experiment/types.js";
import { validateFile } from "../experiment/validate.js";
import { escapeHtml } from "./html.js";

export const DOCS_FORMATS = ["markdown", "html"] as const;
export type DocsFormat = (typeof DOCS_FORMATS)[number];

export function isDocsFormat(value: string): value is DocsFormat {
  return (DOCS_FORMATS as readonly string[]).includes(value);
}

/** One experiment as the page shows it. */
export interface DocumentedExperiment {
  /** The file as given (for messages). */
  readonly file: string;
  /** The file's base name: the Coverage table's Experiment column. */
  readonly fileName: string;
  /** Position of the document in its file (0 for single-document files). */
  readonly documentIndex: number;
  readonly operator: string;
  readonly name: string;
  readonly type: string;
  /** The declared danger level, or the docs default for the type. */
  readonly dangerLevel: string;
  readonly component: string;
  /** hypothesis.description as written (after YAML folding). */
  readonly description: string;
  /** The experiment's YAML source, verbatim (the whole file unless the file holds several documents). */
  readonly yaml: string;
}

/** All the experiments of one operator, sorted. */
export interface FailureModesPage {
  readonly operator: string;
  readonly experiments: readonly DocumentedExperiment[];
}

/**
 * The danger level the Go tool's docs generator shows when an experiment does not declare one. For
 * the types listed here it agrees with the fault drivers' defaults; every other type is shown as
 * "medium" by the Go generator, although its driver (and a run) treats most of them as high.
 */
const DOCS_DEFAULT_DANGER: ReadonlyMap<string, string> = new Map([
  ["PodKill", "low"],
  ["NetworkPartition", "medium"],
  ["ConfigDrift", "medium"],
  ["CRDMutation", "medium"],
  ["FinalizerBlock", "low"],
  ["RBACRevoke", "high"],
  ["WebhookDisrupt", "high"],
  ["ClientFault", "low"],
]);
const DOCS_DEFAULT_DANGER_OTHERS = "medium";

/** The types whose docs default is stated explicitly (the rest get DOCS_DEFAULT_DANGER_OTHERS). */
export const DOCS_DEFAULT_DANGER_TYPES: readonly string[] = [...DOCS_DEFAULT_DANGER.keys()];

/** The danger level a page shows when the experiment declares none. */
export function docsDefaultDangerLevel(type: string): string {
  return DOCS_DEFAULT_DANGER.get(type) ?? DOCS_DEFAULT_DANGER_OTHERS;
}

/** spec.injection.dangerLevel, or the docs default for the injection type when it is unset. */
export function docsDangerLevel(experiment: ChaosExperiment): string {
  const declared = experiment.spec.injection.dangerLevel;
  return declared === undefined || declared === "" ? docsDefaultDangerLevel(experiment.spec.injection.type) : declared;
}

/** Whitespace runs (line breaks included) become one space: the description as one paragraph. */
export function flattenDescription(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}

export const COVERAGE_DESCRIPTION_LENGTH = 80;

/** The Coverage table's description: flattened, and cut to 80 characters + "..." when longer. */
export function coverageDescription(text: string): string {
  const characters = Array.from(flattenDescription(text));
  return characters.length > COVERAGE_DESCRIPTION_LENGTH ? `${characters.slice(0, COVERAGE_DESCRIPTION_LENGTH).join("")}...` : characters.join("");
}

/** The page's title (without Markdown). */
export function pageTitle(operator: string): string {
  return `${operator} Failure Modes`;
}

// ---------------------------------------------------------------------------------------------------
// Loading

export interface LoadedDocs {
  /** Every valid experiment document, in file order. */
  readonly experiments: readonly DocumentedExperiment[];
  /** Formatted errors of files that are unreadable or hold an invalid experiment; empty when all is well. */
  readonly problems: readonly string[];
}

/**
 * Reads and validates the files (with the project's validator). Documents of other kinds (knowledge
 * models, Kubernetes fixtures) are ignored; an invalid experiment is a problem, not silently left out.
 */
export async function loadDocumentedExperiments(files: readonly string[]): Promise<LoadedDocs> {
  const experiments: DocumentedExperiment[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const result = await validateFile(file);
    // Knowledge models are not shown, so their problems are not ours to report.
    const shown = result.documents.filter((document) => document.kind !== "OperatorKnowledge");
    const errors = [...result.diagnostics, ...shown.flatMap((document) => document.diagnostics)].filter((diagnostic) => diagnostic.severity === "error");
    problems.push(...errors.map(formatDiagnostic));
    if (errors.length > 0) continue;
    const documents = result.documents.filter((document) => document.experiment !== undefined);
    if (documents.length === 0) continue;
    const text = stripBom(await readFile(file, "utf8"));
    const starts = result.documents.map((document) => document.line);
    for (const document of documents) {
      const yaml = documents.length === 1 && result.documents.length === 1 ? text : documentSource(text, document.line, starts);
      experiments.push(describeExperiment(document.experiment!, { file, documentIndex: document.index, yaml }));
    }
  }
  return { experiments, problems };
}

/** The page's view of a valid experiment; `yaml` is shown as given. */
export function describeExperiment(
  experiment: ChaosExperiment,
  source: { readonly file: string; readonly documentIndex?: number; readonly yaml: string },
): DocumentedExperiment {
  return {
    file: source.file,
    fileName: path.basename(source.file),
    documentIndex: source.documentIndex ?? 0,
    operator: experiment.spec.target.operator,
    name: experiment.metadata.name,
    type: experiment.spec.injection.type,
    dangerLevel: docsDangerLevel(experiment),
    component: experiment.spec.target.component,
    description: experiment.spec.hypothesis.description,
    yaml: source.yaml,
  };
}

function stripBom(text: string): string {
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?:[ \t].*)?\r?$/;

/**
 * The lines of a multi-document file that belong to the document whose content starts at
 * `startLine` (1-based): from the document marker before it (exclusive, unless the content starts
 * on the marker's line) to the next marker; trailing blank lines dropped.
 */
export function documentSource(text: string, startLine: number, allStarts: readonly number[] = []): string {
  const lines = text.split("\n");
  const startIndex = Math.min(Math.max(startLine - 1, 0), lines.length - 1);
  let begin = 0;
  for (let index = startIndex; index >= 0; index--) {
    if (DOCUMENT_MARKER.test(lines[index]!)) {
      begin = index === startIndex && /^---[ \t]+\S/.test(lines[index]!) ? index : index + 1;
      break;
    }
  }
  let end = lines.length;
  const nextStart = allStarts.filter((line) => line > startLine).reduce((lowest, line) => Math.min(lowest, line), Infinity);
  for (let index = startIndex + 1; index < lines.length; index++) {
    if (DOCUMENT_MARKER.test(lines[index]!) || index + 1 >= nextStart) {
      end = index;
      break;
    }
  }
  const own = lines.slice(begin, end);
  while (own.length > 0 && own.at(-1)!.trim() === "") own.pop();
  return `${own.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------------
// Grouping

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One page per spec.target.operator, operators sorted; experiments by file name, then path, then document. */
export function failureModesPages(experiments: readonly DocumentedExperiment[]): FailureModesPage[] {
  const byOperator = new Map<string, DocumentedExperiment[]>();
  for (const experiment of experiments) {
    const list = byOperator.get(experiment.operator) ?? [];
    list.push(experiment);
    byOperator.set(experiment.operator, list);
  }
  return [...byOperator.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([operator, list]) => ({
      operator,
      experiments: [...list].sort(
        (a, b) => compareText(a.fileName, b.fileName) || compareText(a.file, b.file) || a.documentIndex - b.documentIndex,
      ),
    }));
}

// ---------------------------------------------------------------------------------------------------
// Markdown

/** Characters that Markdown would read as markup anywhere in a line (and | which ends a table cell). */
const MARKDOWN_INLINE = /[\\`*_[\]<>|]/g;

/** Text that Markdown renders as itself, on one line. */
export function escapeMarkdown(text: string): string {
  const escaped = flattenDescription(text).replace(MARKDOWN_INLINE, (character) => `\\${character}`);
  // What would start a heading, list or thematic break at the start of a line (">" is escaped above).
  return escaped.replace(/^([#+=-])/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
}

/** A code fence longer than any run of backticks in the text. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (match) => match[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

function withFinalNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

export function failureModesMarkdown(page: FailureModesPage): string {
  const lines: string[] = [
    `# ${escapeMarkdown(pageTitle(page.operator))}`,
    "",
    "## Coverage",
    "",
    "| Injection Type | Danger | Experiment | Description |",
    "|---|---|---|---|",
    ...page.experiments.map(
      (experiment) =>
        `| ${escapeMarkdown(experiment.type)} | ${escapeMarkdown(experiment.dangerLevel)} | ${escapeMarkdown(experiment.fileName)} | ${escapeMarkdown(
          coverageDescription(experiment.description),
        )} |`,
    ),
    "",
    "## Experiment Details",
  ];
  for (const experiment of page.experiments) {
    const fence = fenceFor(experiment.yaml);
    lines.push(
      "",
      `### ${escapeMarkdown(experiment.name)}`,
      "",
      `- **Type:** ${escapeMarkdown(experiment.type)}`,
      `- **Danger Level:** ${escapeMarkdown(experiment.dangerLevel)}`,
      `- **Component:** ${escapeMarkdown(experiment.component)}`,
      "",
      escapeMarkdown(experiment.description),
      "",
      "#### Experiment YAML",
      "",
      `${fence}yaml`,
      `${withFinalNewline(experiment.yaml)}${fence}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Several pages one after another (each starts with its own title). */
export function failureModesMarkdownPages(pages: readonly FailureModesPage[]): string {
  return pages.map(failureModesMarkdown).join("\n");
}

// ---------------------------------------------------------------------------------------------------
// HTML

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.8rem 1rem; overflow-x: auto; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.9em; }
.danger-high { color: #cf222e; font-weight: 600; } .danger-medium { color: #9a6700; } .danger-low { color: #1a7f37; }
article + article { border-top: 2px solid #d0d7de; margin-top: 3rem; }
`;

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, "-");
}

function dangerCell(level: string): string {
  return `<span class="danger-${slug(level)}">${escapeHtml(level)}</span>`;
}

function pageArticle(page: FailureModesPage): string {
  const prefix = `${slug(page.operator)}-`;
  const ids = new Map<DocumentedExperiment, string>();
  const used = new Set<string>();
  for (const experiment of page.experiments) {
    let id = `${prefix}${slug(experiment.name)}`;
    for (let suffix = 2; used.has(id); suffix++) id = `${prefix}${slug(experiment.name)}-${suffix}`;
    used.add(id);
    ids.set(experiment, id);
  }
  const rows = page.experiments
    .map(
      (experiment) =>
        `<tr><td>${escapeHtml(experiment.type)}</td><td>${dangerCell(experiment.dangerLevel)}</td><td><a href="#${ids.get(experiment)!}">${escapeHtml(
          experiment.fileName,
        )}</a></td><td>${escapeHtml(coverageDescription(experiment.description))}</td></tr>`,
    )
    .join("\n");
  const details = page.experiments
    .map(
      (experiment) => `<section id="${ids.get(experiment)!}">
<h3>${escapeHtml(experiment.name)}</h3>
<ul>
<li><strong>Type:</strong> ${escapeHtml(experiment.type)}</li>
<li><strong>Danger Level:</strong> ${dangerCell(experiment.dangerLevel)}</li>
<li><strong>Component:</strong> ${escapeHtml(experiment.component)}</li>
</ul>
<p>${escapeHtml(flattenDescription(experiment.description))}</p>
<h4>Experiment YAML</h4>
<pre><code class="language-yaml">${escapeHtml(withFinalNewline(experiment.yaml))}</code></pre>
</section>`,
    )
    .join("\n");
  return `<article id="${slug(page.operator)}">
<h1>${escapeHtml(pageTitle(page.operator))}</h1>
<h2>Coverage</h2>
<table>
<thead><tr><th>Injection Type</th><th>Danger</th><th>Experiment</th><th>Description</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>Experiment Details</h2>
${details}
</article>`;
}

/** One self-contained HTML document (inline CSS, no scripts) holding the pages in turn. */
export function failureModesHtml(pages: readonly FailureModesPage[]): string {
  const title = pages.length === 1 ? pageTitle(pages[0]!.operator) : "Failure Modes";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${pages.map(pageArticle).join("\n")}
</body>
</html>
`;
}

/** The pages in the format, as one text (Markdown pages one after another, HTML as one document). */
export function renderFailureModes(pages: readonly FailureModesPage[], format: DocsFormat): string {
  return format === "html" ? failureModesHtml(pages) : failureModesMarkdownPages(pages);
}

/** Where a page goes when --out is a directory: <dir>/<operator>/failure-modes.<ext> (the Go site's layout). */
export function pageFileName(operator: string, format: DocsFormat): string {
  const safe = operator.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^\.+/, "_") || "_";
  return path.join(safe, `failure-modes.${format === "html" ? "html" : "md"}`);
}

// The failure-modes page, checked against the seed: the rendered llamastack page (as text) for the
// same four experiment files. `npm test` reads the project's fixture of that page
// (test/fixtures/docs); `npm run test:compat` checks the fixture against the Go tool's real page. Then the rules behind it, and the command as users run it.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../experiment/package-root.js";
import { validateText } from "../experiment/validate.js";
import type { ChaosExperiment } from "../experiment/types.js";
import { INJECTION_TYPES } from "../experiment/enums.js";
import { getFaultDriver } from "../faults/registry.js";
import {
  coverageDescription,
  describeExperiment,
  docsDefaultDangerLevel,
  DOCS_DEFAULT_DANGER_TYPES,
  escapeMarkdown,
  failureModesHtml,
  failureModesMarkdown,
  failureModesPages,
  loadDocumentedExperiments,
  pageFileName,
  renderFailureModes,
  type FailureModesPage,
} from "./docs.js";

const ROOT = packageRoot();
const SEED = path.join(ROOT, "test", "fixtures", "docs", "llamastack-failure-modes.txt");
const LLAMASTACK = path.join(ROOT, "experiments", "llamastack");
const SEED_FILES = ["config-drift.yaml", "network-partition.yaml", "pod-kill.yaml", "rbac-revoke.yaml"];

// ---------------------------------------------------------------------------------------------------
// The seed page, read as text

interface SeedRow {
  readonly type: string;
  readonly danger: string;
  readonly file: string;
  readonly description: string;
}

interface SeedExperiment {
  readonly name: string;
  readonly type: string;
  readonly dangerLevel: string;
  readonly component: string;
  readonly hypothesis: string;
  readonly yaml: readonly string[];
}

interface SeedPage {
  readonly title: string;
  readonly rows: readonly SeedRow[];
  readonly experiments: readonly SeedExperiment[];
}

function parseSeed(text: string): SeedPage {
  const lines = text.split("\n");
  const coverage = lines.indexOf("Coverage");
  const details = lines.indexOf("Experiment Details");
  expect(coverage).toBeGreaterThan(0);
  expect(details).toBeGreaterThan(coverage);
  const title = lines.slice(0, coverage).filter((line) => line.trim() !== "").at(-1)!;
  const tableLines = lines.slice(coverage + 1, details).filter((line) => line.trim() !== "");
  expect(tableLines[0]).toBe("Injection Type Danger Experiment Description");
  const rows = tableLines.slice(1).map((line) => {
    const match = /^(\S+) (\S+) (\S+\.ya?ml) (.*)$/.exec(line);
    expect(match, line).not.toBeNull();
    return { type: match![1]!, danger: match![2]!, file: match![3]!, description: match![4]! };
  });
  // Each experiment: its name, a blank line, then the "• Type:" bullet.
  const bullet = (line: string | undefined, label: string): string => {
    const match = new RegExp(`^\\s*• ${label}: (.*)$`).exec(line ?? "");
    expect(match, `${label} bullet in ${JSON.stringify(line)}`).not.toBeNull();
    return match![1]!;
  };
  const typeLines = lines.flatMap((line, index) => (index > details && /^\s*• Type: /.test(line) ? [index] : []));
  const nameLines = typeLines.map((index) => {
    let at = index - 1;
    while (lines[at]!.trim() === "") at--;
    return at;
  });
  const experiments = typeLines.map((typeLine, position) => {
    const end = nameLines[position + 1] ?? lines.length;
    const yamlHeading = lines.indexOf("Experiment YAML", typeLine);
    expect(yamlHeading).toBeGreaterThan(typeLine);
    expect(yamlHeading).toBeLessThan(end);
    const hypothesis = lines.slice(typeLine + 3, yamlHeading).filter((line) => line.trim() !== "");
    expect(hypothesis).toHaveLength(1);
    const yaml = lines.slice(yamlHeading + 1, end);
    while (yaml.length > 0 && yaml.at(-1)!.trim() === "") yaml.pop();
    return {
      name: lines[nameLines[position]!]!.trim(),
      type: bullet(lines[typeLine], "Type"),
      dangerLevel: bullet(lines[typeLine + 1], "Danger Level"),
      component: bullet(lines[typeLine + 2], "Component"),
      hypothesis: hypothesis[0]!.trim(),
      yaml,
    };
  });
  return { title, rows, experiments };
}

// ---------------------------------------------------------------------------------------------------
// Our Markdown, read back

interface OurExperiment {
  readonly name: string;
  readonly bullets: ReadonlyMap<string, string>;
  readonly hypothesis: string;
  readonly yaml: readonly string[];
}

function parseMarkdown(markdown: string): { title: string; rows: SeedRow[]; experiments: OurExperiment[] } {
  const lines = markdown.split("\n");
  expect(lines[0]).toMatch(/^# /);
  const coverage = lines.indexOf("## Coverage");
  const details = lines.indexOf("## Experiment Details");
  expect(coverage).toBeGreaterThan(0);
  expect(details).toBeGreaterThan(coverage);
  const table = lines.slice(coverage + 1, details).filter((line) => line.startsWith("|"));
  expect(table[0]).toBe("| Injection Type | Danger | Experiment | Description |");
  expect(table[1]).toMatch(/^\|(-+\|){4}$/);
  const rows = table.slice(2).map((line) => {
    const cells = line.slice(2, -2).split(" | ");
    expect(cells).toHaveLength(4);
    return { type: cells[0]!, danger: cells[1]!, file: cells[2]!, description: cells[3]! };
  });
  const experiments: OurExperiment[] = [];
  let index = details + 1;
  while (index < lines.length) {
    const line = lines[index]!;
    if (!line.startsWith("### ")) {
      expect(line.trim(), `line ${index + 1} between experiments`).toBe("");
      index++;
      continue;
    }
    const name = line.slice(4);
    index++;
    const bullets = new Map<string, string>();
    const hypothesis: string[] = [];
    while (lines[index] !== "#### Experiment YAML") {
      const item = /^- \*\*(.+):\*\* (.*)$/.exec(lines[index]!);
      if (item) bullets.set(item[1]!, item[2]!);
      else if (lines[index]!.trim() !== "") hypothesis.push(lines[index]!);
      index++;
      expect(index).toBeLessThan(lines.length);
    }
    index++;
    while (lines[index]!.trim() === "") index++;
    expect(lines[index]).toBe("```yaml");
    const close = lines.indexOf("```", index + 1);
    expect(close).toBeGreaterThan(index);
    experiments.push({ name, bullets, hypothesis: hypothesis.join("\n"), yaml: lines.slice(index + 1, close) });
    index = close + 1;
  }
  return { title: lines[0]!.slice(2), rows, experiments };
}

const trimmedLines = (lines: readonly string[]): string[] => lines.map((line) => line.trimEnd());

async function llamastackPages(): Promise<FailureModesPage[]> {
  const { experiments, problems } = await loadDocumentedExperiments(SEED_FILES.map((file) => path.join(LLAMASTACK, file)));
  expect(problems).toEqual([]);
  return failureModesPages(experiments);
}

/** The page of every experiment in experiments/llamastack, as `docs experiments/llamastack` renders it. */
async function allLlamastackPages(): Promise<FailureModesPage[]> {
  const files = readdirSync(LLAMASTACK).filter((file) => file.endsWith(".yaml")).sort().map((file) => path.join(LLAMASTACK, file));
  const { experiments, problems } = await loadDocumentedExperiments(files);
  expect(problems).toEqual([]);
  return failureModesPages(experiments);
}

describe("the llamastack failure-modes page, compared with the seed page", () => {
  const seed = parseSeed(readFileSync(SEED, "utf8"));

  it("reads the seed page: four rows and four experiments", () => {
    expect(seed.title).toBe("llamastack Failure Modes");
    expect(seed.rows.map((row) => row.file)).toEqual(SEED_FILES);
    expect(seed.experiments.map((experiment) => experiment.name)).toEqual([
      "llamastack-config-drift",
      "llamastack-network-partition",
      "llamastack-pod-kill",
      "llamastack-rbac-revoke",
    ]);
    expect(seed.experiments.every((experiment) => experiment.yaml[0] === "apiVersion: chaos.operatorchaos.io/v1alpha1")).toBe(true);
  });

  it("has one page, with the seed's title", async () => {
    const pages = await llamastackPages();
    expect(pages.map((page) => page.operator)).toEqual(["llamastack"]);
    expect(parseMarkdown(failureModesMarkdown(pages[0]!)).title).toBe(seed.title);
  });

  it("has the seed's Coverage rows: injection type, danger, file and cut description", async () => {
    const ours = parseMarkdown(failureModesMarkdown((await llamastackPages())[0]!));
    expect(ours.rows).toEqual(seed.rows);
  });

  it("has the seed's details for every experiment: name, type, danger level, component, hypothesis", async () => {
    const ours = parseMarkdown(failureModesMarkdown((await llamastackPages())[0]!));
    expect(ours.experiments).toHaveLength(seed.experiments.length);
    ours.experiments.forEach((experiment, index) => {
      const expected = seed.experiments[index]!;
      expect(experiment.name).toBe(expected.name);
      expect([...experiment.bullets.entries()]).toEqual([
        ["Type", expected.type],
        ["Danger Level", expected.dangerLevel],
        ["Component", expected.component],
      ]);
      expect(experiment.hypothesis).toBe(expected.hypothesis);
    });
  });

  it("shows each experiment's YAML as the seed does, line by line", async () => {
    const ours = parseMarkdown(failureModesMarkdown((await llamastackPages())[0]!));
    ours.experiments.forEach((experiment, index) => {
      expect(trimmedLines(experiment.yaml)).toEqual(trimmedLines(seed.experiments[index]!.yaml));
    });
  });

  it("shows each file's text exactly", async () => {
    const ours = parseMarkdown(failureModesMarkdown((await llamastackPages())[0]!));
    ours.experiments.forEach((experiment, index) => {
      expect(`${experiment.yaml.join("\n")}\n`).toBe(readFileSync(path.join(LLAMASTACK, SEED_FILES[index]!), "utf8"));
    });
  });

  it("has the same rows, texts and YAML in HTML", async () => {
    const html = failureModesHtml(await llamastackPages());
    const unescape = (text: string): string =>
      text.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
    expect(unescape(/<h1>(.*?)<\/h1>/.exec(html)![1]!)).toBe(seed.title);
    const rows = Array.from(html.matchAll(/<tr><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/g), (match) => ({
      type: unescape(match[1]!),
      danger: unescape(match[2]!),
      file: unescape(match[3]!),
      description: unescape(match[4]!),
    }));
    expect(rows).toEqual(seed.rows);
    const hypotheses = Array.from(html.matchAll(/<p>(.*?)<\/p>/g), (match) => unescape(match[1]!));
    expect(hypotheses).toEqual(seed.experiments.map((experiment) => experiment.hypothesis));
    const yamls = Array.from(html.matchAll(/<code class="language-yaml">([\s\S]*?)<\/code>/g), (match) => unescape(match[1]!).trimEnd().split("\n"));
    expect(yamls.map(trimmedLines)).toEqual(seed.experiments.map((experiment) => trimmedLines(experiment.yaml)));
  });
});

// ---------------------------------------------------------------------------------------------------
// The rules

const POD_KILL = readFileSync(path.join(LLAMASTACK, "pod-kill.yaml"), "utf8");

/** A valid experiment: pod-kill.yaml with some fields replaced. */
function experimentText(changes: { operator?: string; name?: string; description?: string; type?: string; danger?: string } = {}): string {
  let text = POD_KILL;
  if (changes.operator) text = text.replace("operator: llamastack", `operator: ${changes.operator}`);
  if (changes.name) text = text.replace("name: llamastack-pod-kill", `name: ${changes.name}`);
  if (changes.description) text = text.replace(/description: >-\n(?: {6}.*\n)+/, `description: ${JSON.stringify(changes.description)}\n`);
  if (changes.type) text = text.replace("type: PodKill", `type: ${changes.type}`);
  if (changes.danger) text = text.replace("    type: PodKill\n", `    type: PodKill\n    dangerLevel: ${changes.danger}\n`);
  return text;
}

function parsed(text: string): ChaosExperiment {
  const result = validateText(text, "test.yaml");
  const experiment = result.documents[0]?.experiment;
  expect(experiment, JSON.stringify(result.documents[0]?.diagnostics)).toBeDefined();
  return experiment!;
}

describe("danger level", () => {
  it("is the declared one when set", () => {
    expect(describeExperiment(parsed(experimentText({ danger: "high" })), { file: "x.yaml", yaml: "" }).dangerLevel).toBe("high");
  });

  it("is the default of the fault type when unset (PodKill low, NetworkPartition medium in the seed)", () => {
    expect(describeExperiment(parsed(POD_KILL), { file: "pod-kill.yaml", yaml: POD_KILL }).dangerLevel).toBe("low");
    expect(docsDefaultDangerLevel("NetworkPartition")).toBe("medium");
  });

  it("follows the Go docs generator's table, which agrees with the fault drivers for the types it names", () => {
    expect(Object.fromEntries(DOCS_DEFAULT_DANGER_TYPES.map((type) => [type, docsDefaultDangerLevel(type)]))).toEqual({
      PodKill: "low",
      NetworkPartition: "medium",
      ConfigDrift: "medium",
      CRDMutation: "medium",
      FinalizerBlock: "low",
      RBACRevoke: "high",
      WebhookDisrupt: "high",
      ClientFault: "low",
    });
    for (const type of DOCS_DEFAULT_DANGER_TYPES) {
      expect(getFaultDriver(type as (typeof INJECTION_TYPES)[number]).defaultDangerLevel, type).toBe(docsDefaultDangerLevel(type));
    }
  });

  it("is medium for every other type, as in the Go docs generator (the drivers say high for most of them)", () => {
    const others = INJECTION_TYPES.filter((type) => !DOCS_DEFAULT_DANGER_TYPES.includes(type));
    expect(others.length).toBeGreaterThan(0);
    for (const type of others) expect(docsDefaultDangerLevel(type)).toBe("medium");
    const disagreeing = others.filter((type) => getFaultDriver(type).defaultDangerLevel !== "medium").sort();
    expect(disagreeing).toEqual([
      "CrashLoopInject",
      "DeploymentScaleZero",
      "ImageCorrupt",
      "LeaderElectionDisrupt",
      "NamespaceDeletion",
      "PDBBlock",
      "ResourceDeletion",
      "SecretDeletion",
      "WebhookLatency",
    ]);
  });
});

describe("coverage description", () => {
  it("keeps a description of at most 80 characters whole", () => {
    expect(coverageDescription("short")).toBe("short");
    expect(coverageDescription("x".repeat(80))).toBe("x".repeat(80));
  });

  it("cuts a longer one to its first 80 characters and adds ...", () => {
    expect(coverageDescription(`${"x".repeat(79)} tail`)).toBe(`${"x".repeat(79)} ...`);
    expect(coverageDescription("y".repeat(81))).toBe(`${"y".repeat(80)}...`);
  });

  it("flattens line breaks and runs of spaces first", () => {
    expect(coverageDescription("  one\ntwo\n\n  three  ")).toBe("one two three");
  });

  it("never splits a character", () => {
    expect(coverageDescription("é".repeat(79) + "😀😀")).toBe(`${"é".repeat(79)}😀...`);
  });
});

describe("rendering", () => {
  it("escapes Markdown in texts, keeping them on one line", () => {
    expect(escapeMarkdown("a | b <c> *d* `e`\nf")).toBe("a \\| b \\<c\\> \\*d\\* \\`e\\` f");
    expect(escapeMarkdown("# title")).toBe("\\# title");
    expect(escapeMarkdown("- item")).toBe("\\- item");
    expect(escapeMarkdown("1. first")).toBe("1\\. first");
  });

  it("fences YAML that holds backticks with a longer fence", () => {
    const yaml = experimentText({ description: "uses ``` fences" });
    const page = failureModesPages([describeExperiment(parsed(yaml), { file: "a.yaml", yaml })])[0]!;
    const markdown = failureModesMarkdown(page);
    expect(markdown).toContain(`\`\`\`\`yaml\n${yaml}\`\`\`\`\n`);
  });

  it("escapes every text in HTML, the YAML included", () => {
    const yaml = experimentText({ description: "<script>alert('x')</script> & more" });
    const page = failureModesPages([describeExperiment(parsed(yaml), { file: "a&b.yaml", yaml })])[0]!;
    const html = failureModesHtml([page]);
    expect(html).not.toContain("<script>");
    expect(html).toContain("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more</p>");
    expect(html).toContain("a&amp;b.yaml");
    expect(html).toContain("description: &quot;&lt;script&gt;");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it("makes one page per operator, operators sorted, experiments sorted by file name", () => {
    const make = (operator: string, file: string) => {
      const yaml = experimentText({ operator, name: `${operator}-${path.basename(file, ".yaml")}` });
      return describeExperiment(parsed(yaml), { file, yaml });
    };
    const pages = failureModesPages([make("zeta", "b/pod-kill.yaml"), make("alpha", "z.yaml"), make("zeta", "a/pod-kill.yaml"), make("alpha", "a.yaml")]);
    expect(pages.map((page) => [page.operator, page.experiments.map((experiment) => experiment.file)])).toEqual([
      ["alpha", ["a.yaml", "z.yaml"]],
      ["zeta", ["a/pod-kill.yaml", "b/pod-kill.yaml"]],
    ]);
    const markdown = renderFailureModes(pages, "markdown");
    expect(markdown.split("\n").filter((line) => line.startsWith("# "))).toEqual(["# alpha Failure Modes", "# zeta Failure Modes"]);
    const html = renderFailureModes(pages, "html");
    expect(html.match(/<!DOCTYPE html>/g)).toHaveLength(1);
    expect(Array.from(html.matchAll(/<h1>(.*?)<\/h1>/g), (match) => match[1])).toEqual(["alpha Failure Modes", "zeta Failure Modes"]);
  });

  it("is deterministic", async () => {
    const first = renderFailureModes(await llamastackPages(), "markdown");
    const reversed = await loadDocumentedExperiments([...SEED_FILES].reverse().map((file) => path.join(LLAMASTACK, file)));
    expect(renderFailureModes(failureModesPages(reversed.experiments), "markdown")).toBe(first);
  });

  it("names page files <operator>/failure-modes.<ext>", () => {
    expect(pageFileName("llamastack", "markdown")).toBe(path.join("llamastack", "failure-modes.md"));
    expect(pageFileName("llamastack", "html")).toBe(path.join("llamastack", "failure-modes.html"));
  });
});

describe("loading", () => {
  it("shows each document of a multi-document file with its own YAML, and ignores other kinds", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "oc-docs-"));
    const second = experimentText({ name: "second-pod-kill" });
    const file = path.join(directory, "several.yaml");
    writeFileSync(file, `${POD_KILL}---\n# the second one\n${second}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixture\n`);
    const { experiments, problems } = await loadDocumentedExperiments([file]);
    expect(problems).toEqual([]);
    expect(experiments.map((experiment) => [experiment.name, experiment.documentIndex])).toEqual([
      ["llamastack-pod-kill", 0],
      ["second-pod-kill", 1],
    ]);
    expect(experiments[0]!.yaml).toBe(POD_KILL);
    expect(experiments[1]!.yaml).toBe(`# the second one\n${second}`);
  });

  it("reports invalid experiments as problems, with file and line", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "oc-docs-"));
    const file = path.join(directory, "bad.yaml");
    writeFileSync(file, POD_KILL.replace("type: PodKill", "type: PodKil"));
    const { experiments, problems } = await loadDocumentedExperiments([file]);
    expect(experiments).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: spec\\.injection\\.type: `));
  });
});

// ---------------------------------------------------------------------------------------------------
// The built command

const MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");

function newestSource(directory: string): number {
  return readdirSync(directory, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return Math.max(newest, newestSource(full));
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? Math.max(newest, statSync(full).mtimeMs) : newest;
  }, 0);
}

function run(args: readonly string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("operator-chaos docs", () => {
  beforeAll(() => {
    const stale = !existsSync(MAIN) || ["cli", "experiment", "faults", "report"].some((part) => newestSource(path.join(ROOT, "src", part)) > statSync(MAIN).mtimeMs);
    // Other parts of the project may not compile at every moment; what matters here is that ours is emitted.
    if (stale) spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "ignore" });
    expect(existsSync(path.join(ROOT, "dist", "src", "cli", "docs.js"))).toBe(true);
  }, 180_000);

  it("prints the llamastack page as Markdown, with the seed's rows", async () => {
    const { status, stdout, stderr } = run(["docs", "experiments/llamastack", "-o", "markdown"]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    // Every experiment of the directory is on the page (the seed's four and those added since).
    expect(stdout).toBe(renderFailureModes(await allLlamastackPages(), "markdown"));
    expect(parseMarkdown(stdout).rows).toEqual(expect.arrayContaining(parseSeed(readFileSync(SEED, "utf8")).rows));
  });

  it("writes HTML to --out", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "oc-docs-")), "page.html");
    const { status, stdout } = run(["docs", "experiments/llamastack", "-o", "html", "--out", out]);
    expect(status).toBe(0);
    expect(stdout).toBe(`wrote ${out}\n`);
    expect(readFileSync(out, "utf8")).toBe(renderFailureModes(await allLlamastackPages(), "html"));
  });

  it("writes one page per operator into the --out directory, or just the one --operator names", () => {
    const input = mkdtempSync(path.join(tmpdir(), "oc-docs-"));
    writeFileSync(path.join(input, "pod-kill.yaml"), POD_KILL);
    writeFileSync(path.join(input, "other.yaml"), experimentText({ operator: "other-operator", name: "other-pod-kill" }));
    const out = path.join(mkdtempSync(path.join(tmpdir(), "oc-docs-")), "site");
    const all = run(["docs", input, "--out", out]);
    expect(all.status).toBe(0);
    const pages = ["llamastack", "other-operator"].map((operator) => path.join(out, operator, "failure-modes.md"));
    expect(all.stdout).toBe(pages.map((page) => `wrote ${page}\n`).join(""));
    expect(readFileSync(pages[0]!, "utf8").split("\n")[0]).toBe("# llamastack Failure Modes");
    expect(readFileSync(pages[1]!, "utf8")).toContain("### other-pod-kill\n");

    const one = run(["docs", input, "--operator", "other-operator"]);
    expect(one.status).toBe(0);
    expect(one.stdout.split("\n").filter((line) => line.startsWith("# "))).toEqual(["# other-operator Failure Modes"]);
    expect(one.stdout).not.toContain("llamastack-pod-kill");
  });

  it("exits 1 for an operator no experiment targets, naming the ones found", () => {
    const { status, stdout, stderr } = run(["docs", "experiments/llamastack", "--operator", "kserve"]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe('Error: no experiment targets operator "kserve" (found: llamastack)\n');
  });

  it("exits 1 and writes nothing when an experiment is invalid", () => {
    const input = mkdtempSync(path.join(tmpdir(), "oc-docs-"));
    writeFileSync(path.join(input, "pod-kill.yaml"), POD_KILL);
    writeFileSync(path.join(input, "bad.yaml"), POD_KILL.replace("component: llamastack-controller-manager", "component: ''"));
    const out = path.join(input, "page.md");
    const { status, stderr } = run(["docs", input, "--out", out]);
    expect(status).toBe(1);
    expect(stderr).toContain(`${path.join(input, "bad.yaml")}:`);
    expect(stderr).toContain("spec.target.component");
    expect(existsSync(out)).toBe(false);
  });

  it("exits 1 for a path that names nothing and 2 for an unknown format", () => {
    expect(run(["docs", "no/such/dir"]).status).toBe(1);
    expect(run(["docs", "experiments/llamastack", "-o", "pdf"]).status).toBe(2);
  });
});

// Text and Markdown renderings of the knowledge diff and the CRD diff (JSON is the objects themselves).
// Markdown is meant for a pull-request comment. Pure.

import type { CrdDiff, SchemaChange } from "./crd-diff.js";
import type { ComponentDiff, UpgradeDiff } from "./knowledge-diff.js";

const version = (value: string) => (value === "" ? "?" : value.startsWith("v") ? value : `v${value}`);

function title(diff: UpgradeDiff): string {
  return `Upgrade Diff: ${diff.platform ? `${diff.platform} ` : ""}${version(diff.sourceVersion)} → ${version(diff.targetVersion)}`;
}

function componentLine(component: ComponentDiff): string {
  const rename = component.renamedFrom ? ` (from ${component.renamedFrom})` : "";
  const move = component.namespaceChange ? ` namespace ${component.namespaceChange.from} → ${component.namespaceChange.to}` : "";
  return `${component.operator}/${component.component}: ${component.changeType}${rename}${move}${component.breaking ? "  [BREAKING]" : ""}`;
}

function detailLines(component: ComponentDiff): string[] {
  const lines: string[] = [];
  for (const resource of component.resources) {
    const from = resource.renamedFrom ? ` (from ${resource.renamedFrom})` : resource.movedFrom ? ` (from namespace ${resource.movedFrom})` : "";
    lines.push(`resource ${resource.kind}/${resource.name}: ${resource.changeType}${from}`);
    for (const field of resource.fieldChanges ?? []) lines.push(`  ${field.path}: ${JSON.stringify(field.oldValue)} → ${JSON.stringify(field.newValue)}`);
  }
  for (const webhook of component.webhooks) {
    const type = webhook.oldType ? ` type ${webhook.oldType} → ${webhook.newType}` : "";
    const path = webhook.oldPath ? ` path ${webhook.oldPath} → ${webhook.newPath}` : "";
    lines.push(`webhook ${webhook.name}: ${webhook.changeType}${type}${path}`);
  }
  for (const finalizer of component.finalizers) lines.push(`finalizer ${finalizer.name}: ${finalizer.changeType}`);
  for (const dependency of component.dependencies) lines.push(`dependency ${dependency.name}: ${dependency.changeType}`);
  return lines;
}

export function formatDiffText(diff: UpgradeDiff): string {
  const lines = [title(diff), ""];
  if (diff.components.length === 0) lines.push("No changes.");
  for (const component of diff.components) {
    lines.push(componentLine(component));
    for (const detail of detailLines(component)) lines.push(`  ${detail}`);
  }
  const s = diff.summary;
  lines.push(
    "",
    "SUMMARY",
    `  components: ${s.componentsAdded} added, ${s.componentsRemoved} removed, ${s.componentsRenamed} renamed; namespace moves: ${s.namespaceMoves}`,
    `  resource changes: ${s.resourceChanges}, webhook changes: ${s.webhookChanges}, finalizer changes: ${s.finalizerChanges}, dependency changes: ${s.dependencyChanges}`,
    `BREAKING CHANGES: ${s.breakingChanges}`,
  );
  return lines.join("\n");
}

const cell = (value: string) => value.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function formatDiffMarkdown(diff: UpgradeDiff): string {
  const lines = [`### ${title(diff)}`, ""];
  if (diff.components.length === 0) {
    lines.push("No changes.");
  } else {
    lines.push("| Component | Change | Breaking | Details |", "|---|---|---|---|");
    for (const component of diff.components) {
      const head = [component.renamedFrom ? `renamed from ${component.renamedFrom}` : "", component.namespaceChange ? `namespace ${component.namespaceChange.from} → ${component.namespaceChange.to}` : ""].filter(Boolean);
      const details = [...head, ...detailLines(component).map((line) => line.trim())].map(cell).join("<br>");
      lines.push(`| ${cell(`${component.operator}/${component.component}`)} | ${component.changeType} | ${component.breaking ? "**yes**" : "no"} | ${details} |`);
    }
  }
  lines.push("", `**Breaking changes: ${diff.summary.breakingChanges}**`);
  return lines.join("\n");
}

function changeLine(found: SchemaChange): string {
  const where = [found.version, found.path].filter(Boolean).join(" ");
  const values = found.oldValue !== undefined || found.newValue !== undefined ? ` (${found.oldValue ?? ""} → ${found.newValue ?? ""})` : "";
  return `[${found.severity}] ${found.type}${where ? ` ${where}` : ""}${values}`;
}

export function formatCrdDiffText(diff: CrdDiff): string {
  const lines = ["CRD Schema Diff", ""];
  if (diff.crds.length === 0) lines.push("No changes.");
  for (const crd of diff.crds) {
    lines.push(`${crd.name}: ${crd.changeType}`);
    for (const found of crd.changes) lines.push(`  ${changeLine(found)}`);
  }
  lines.push("", `BREAKING: ${diff.summary.breaking}  WARNING: ${diff.summary.warning}  INFO: ${diff.summary.info}`);
  return lines.join("\n");
}

export function formatCrdDiffMarkdown(diff: CrdDiff): string {
  const lines = ["### CRD Schema Diff", ""];
  if (diff.crds.length === 0) {
    lines.push("No changes.");
  } else {
    lines.push("| CRD | Version | Path | Change | Severity | Old | New |", "|---|---|---|---|---|---|---|");
    for (const crd of diff.crds) {
      for (const found of crd.changes) {
        const severity = found.severity === "Breaking" ? "**Breaking**" : found.severity;
        lines.push(`| ${cell(crd.name)} | ${cell(found.version ?? "")} | ${cell(found.path ?? "")} | ${found.type} | ${severity} | ${cell(found.oldValue ?? "")} | ${cell(found.newValue ?? "")} |`);
      }
    }
  }
  lines.push("", `**Breaking: ${diff.summary.breaking}** · Warning: ${diff.summary.warning} · Info: ${diff.summary.info}`);
  return lines.join("\n");
}

// The file side of `generate experiments`: where profiles and templates are found, reading them in
// the Go tool's order (directory entries sorted by name), and writing the result only after the whole
// plan succeeded.

import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { packageRoot } from "../experiment/package-root.js";
import { compareGoStrings } from "./go-yaml.js";
import type { GeneratedExperiment, ProfileExperimentFile } from "./plan.js";
import { goQuote, parseProfile, type Profile } from "./profile.js";
import { parseTemplate, type Template } from "./template.js";

export class GenerateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GenerateInputError";
  }
}

export interface ResolvedProfile {
  /** profile.yaml */
  readonly file: string;
  /** The folder holding it (knowledge/, experiments/). */
  readonly dir: string;
}

/** Profiles shipped with operator-chaos (profiles/<name>/profile.yaml under the package). */
export function bundledProfilesDir(): string {
  return path.join(packageRoot(), "profiles");
}

export function bundledTemplatesDir(): string {
  return path.join(packageRoot(), "templates");
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/**
 * `--profile NAME|DIR`: a path (anything with a separator, or an existing folder) is used as is;
 * a name is looked up as profiles/<NAME>/profile.yaml in the working directory (as the Go tool
 * does), then among the bundled profiles.
 */
export function resolveProfile(value: string, cwd = process.cwd()): ResolvedProfile {
  if (value === "") throw new GenerateInputError("profile name is required");
  const looksLikePath = /[/\\]/.test(value) || value === "." || value === "..";
  if (looksLikePath) {
    const target = path.resolve(cwd, value);
    if (isDir(target) && isFile(path.join(target, "profile.yaml"))) return { file: path.join(value, "profile.yaml"), dir: value };
    if (isFile(target)) return { file: value, dir: path.dirname(value) };
    throw new GenerateInputError(`profile ${goQuote(value)} not found: ${value} is neither a profile folder (with profile.yaml) nor a profile file`);
  }
  const local = path.join("profiles", value, "profile.yaml");
  if (isFile(path.resolve(cwd, local))) return { file: local, dir: path.join("profiles", value) };
  const bundled = path.join(bundledProfilesDir(), value, "profile.yaml");
  if (isFile(bundled)) return { file: bundled, dir: path.dirname(bundled) };
  const known = [...new Set([...profileNames(path.resolve(cwd, "profiles")), ...profileNames(bundledProfilesDir())])].sort(compareGoStrings);
  throw new GenerateInputError(
    `profile ${goQuote(value)} not found at ${local}${known.length ? ` (available: ${known.join(", ")})` : ""}`,
  );
}

function profileNames(dir: string): string[] {
  if (!isDir(dir)) return [];
  try {
    return readdirSync(dir).filter((name) => isFile(path.join(dir, name, "profile.yaml")));
  } catch {
    return [];
  }
}

/** Templates folder: --templates, else ./templates (the Go tool's only choice), else the bundled one. */
export function resolveTemplatesDir(value: string | undefined, cwd = process.cwd()): string {
  if (value !== undefined) {
    if (!isDir(path.resolve(cwd, value))) throw new GenerateInputError(`templates directory not found: ${value}`);
    return value;
  }
  if (isDir(path.resolve(cwd, "templates"))) return "templates";
  return bundledTemplatesDir();
}

export async function loadProfile(resolved: ResolvedProfile): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(resolved.file, "utf8");
  } catch (error) {
    throw new GenerateInputError(`reading profile ${resolved.file}: ${(error as Error).message}`);
  }
  return parseProfile(text, resolved.file);
}

/** Directory entries sorted by name, as Go's os.ReadDir returns them. */
async function sortedEntries(dir: string) {
  return (await readdir(dir, { withFileTypes: true })).sort((a, b) => compareGoStrings(a.name, b.name));
}

const isYamlName = (name: string) => name.endsWith(".yaml") || name.endsWith(".yml");

/** Every .yaml/.yml file of the folder (not sub-folders), or the one named by --template. */
export async function loadTemplates(dir: string, only?: string): Promise<Template[]> {
  if (only !== undefined && only !== "") {
    if (path.basename(only) !== only || /[/\\]/.test(only) || only.includes("..")) {
      throw new GenerateInputError(`template name ${goQuote(only)} must not contain path separators or traversal characters`);
    }
    const file = path.join(dir, only);
    return [parseTemplate(only, file, await readText(file))];
  }
  let entries;
  try {
    entries = await sortedEntries(dir);
  } catch (error) {
    throw new GenerateInputError(`reading templates directory ${dir}: ${(error as Error).message}`);
  }
  const templates: Template[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() || !isYamlName(entry.name)) continue;
    const file = path.join(dir, entry.name);
    templates.push(parseTemplate(entry.name, file, await readText(file)));
  }
  if (templates.length === 0) throw new GenerateInputError(`no template files found in ${dir}`);
  return templates;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new GenerateInputError(`reading template ${file}: ${(error as Error).message}`);
  }
}

/** profiles/<name>/experiments/<component>/*.yaml|yml, folders and files in name order. */
export async function loadProfileExperiments(profileDir: string): Promise<ProfileExperimentFile[]> {
  const root = path.join(profileDir, "experiments");
  let components;
  try {
    components = await sortedEntries(root);
  } catch {
    return [];
  }
  const files: ProfileExperimentFile[] = [];
  for (const component of components) {
    if (!component.isDirectory() || component.name === "" || component.name.includes("..") || /[/\\]/.test(component.name)) continue;
    let entries;
    try {
      entries = await sortedEntries(path.join(root, component.name));
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory() || !isYamlName(entry.name)) continue;
      const file = path.join(root, component.name, entry.name);
      try {
        files.push({ component: component.name, name: entry.name, content: await readFile(file) });
      } catch (error) {
        throw new GenerateInputError(`reading profile experiment ${file}: ${(error as Error).message}`);
      }
    }
  }
  return files;
}

/** Writes <out>/<component>/<name> for every file (folders 0750, files 0644, as the Go tool). */
export async function writeGenerated(outputDir: string, files: readonly GeneratedExperiment[]): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const target = path.join(outputDir, file.component, file.name);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o750 });
    await writeFile(target, file.content, { mode: 0o644 });
    written.push(target);
  }
  return written;
}

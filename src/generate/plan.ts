// `generate experiments`: templates × profile components, the Go tool's algorithm step by step.
// For each template (file-name order) and each component key (sorted byte-wise): skip it when the
// template's platform is not the profile's, when a required field is empty, or when the profile has
// its own file of that name for the component; otherwise strip the header and substitute. Then every
// profile-specific file is copied verbatim. Pure: the caller reads the files and writes the result,
// and nothing is written unless the whole plan succeeded.

import { compareGoStrings } from "./go-yaml.js";
import { applySetVars, componentVariables, goQuote, type Profile } from "./profile.js";
import { matchesComponent, matchesPlatform, substituteVariables, type Template } from "./template.js";

/** A file of profiles/<name>/experiments/<component>/. */
export interface ProfileExperimentFile {
  readonly component: string;
  /** File name (.yaml or .yml). */
  readonly name: string;
  readonly content: Uint8Array;
}

export interface GenerateInput {
  readonly profile: Profile;
  /** In the order they are processed (the Go tool: directory order, i.e. sorted by file name). */
  readonly templates: readonly Template[];
  readonly profileExperiments: readonly ProfileExperimentFile[];
  readonly component?: string;
  readonly setVars?: readonly string[];
}

export type OutputSource = "template" | "profile-specific";

export interface GeneratedExperiment {
  readonly component: string;
  /** Output file name (the template's or the profile file's). */
  readonly name: string;
  readonly source: OutputSource;
  readonly content: string | Uint8Array;
}

export interface GenerateResult {
  readonly generated: number;
  readonly skipped: number;
  readonly copied: number;
  readonly components: number;
  readonly warnings: readonly string[];
  /** In the order the Go tool writes (and lists in --dry-run). */
  readonly files: readonly GeneratedExperiment[];
}

export class GenerateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GenerateError";
  }
}

export function generateExperiments(input: GenerateInput): GenerateResult {
  const profile = applySetVars(input.profile, input.setVars ?? []);
  const only = input.component !== undefined && input.component !== "" ? input.component : undefined;
  if (only !== undefined && !profile.components.has(only)) {
    const available = [...profile.components.keys()].sort(compareGoStrings);
    throw new GenerateError(`component ${goQuote(only)} not found in profile (available: [${available.join(" ")}])`);
  }
  const keys = [...profile.components.keys()].sort(compareGoStrings).filter((key) => only === undefined || key === only);
  const overrides = new Set(input.profileExperiments.map((file) => `${file.component}\u0000${file.name}`));
  const files: GeneratedExperiment[] = [];
  const warnings = [...profile.warnings];
  let skipped = 0;

  for (const template of input.templates) {
    if (!matchesPlatform(template.header.platform, profile.platform)) {
      skipped += keys.length;
      continue;
    }
    for (const key of keys) {
      const variables = componentVariables(profile.components.get(key)!, key, profile.name);
      if (!matchesComponent(template.header.requires, variables) || overrides.has(`${key}\u0000${template.name}`)) {
        skipped++;
        continue;
      }
      let content: string;
      try {
        content = substituteVariables(template, variables);
      } catch (error) {
        throw new GenerateError(`substituting ${template.name} for ${key}: ${(error as Error).message}`);
      }
      files.push({ component: key, name: template.name, source: "template", content });
    }
  }

  const generated = files.length;
  const byComponent = new Map<string, ProfileExperimentFile[]>();
  for (const file of input.profileExperiments) byComponent.set(file.component, [...(byComponent.get(file.component) ?? []), file]);
  let copied = 0;
  for (const component of [...byComponent.keys()].sort(compareGoStrings)) {
    if (only !== undefined && component !== only) continue;
    if (!profile.components.has(component)) warnings.push(`profile experiment directory ${goQuote(component)} has no matching component in profile`);
    for (const file of byComponent.get(component)!) {
      files.push({ component, name: file.name, source: "profile-specific", content: file.content });
      copied++;
    }
  }
  return { generated, skipped, copied, components: keys.length, warnings, files };
}

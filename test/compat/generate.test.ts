// `generate experiments` on the Go tool's own profiles and templates (the corpus): the files, their
// order and their exact content follow the Go tool's algorithm (go-tool-breadth.md §3), and every
// generated experiment validates. Run by `npm run test:compat [DIR]`, never by `npm test`.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { allDiagnostics, validateText } from "../../src/experiment/validate.js";
import { formatDiagnostic } from "../../src/experiment/diagnostic.js";
import { loadProfile, loadProfileExperiments, loadTemplates, resolveProfile } from "../../src/generate/files.js";
import { generateExperiments } from "../../src/generate/plan.js";
import { CORPUS } from "./paths.js";

const TEMPLATES = path.join(CORPUS, "templates");
const profiles = readdirSync(path.join(CORPUS, "profiles")).sort();

async function generate(name: string) {
  // As the Go tool resolves it from the corpus root: profiles/<name>/profile.yaml, ./templates.
  const resolved = resolveProfile(name, CORPUS);
  const absolute = { file: path.resolve(CORPUS, resolved.file), dir: path.resolve(CORPUS, resolved.dir) };
  const profile = await loadProfile(absolute);
  return { profile, result: generateExperiments({ profile, templates: await loadTemplates(TEMPLATES), profileExperiments: await loadProfileExperiments(absolute.dir) }) };
}

/** The expectation written out independently and naively: drop header lines among the first five, trim leading newlines, replace each ${VAR}. */
function expectedContent(template: string, variables: Record<string, string>): string {
  const lines = template.split("\n").filter((line, index) => !(index < 5 && /^\s*# (requires|platform):/.test(line)));
  let text = lines.join("\n").replace(/^\n+/, "");
  for (const [name, value] of Object.entries(variables)) text = text.split(`\${${name}}`).join(value);
  return text;
}

describe("generate experiments with the Go tool's profiles and templates", () => {
  it("finds the corpus profiles and templates", () => {
    expect(profiles).toEqual(expect.arrayContaining(["cert-manager", "knative-serving"]));
    expect(readdirSync(TEMPLATES).filter((f) => f.endsWith(".yaml"))).toHaveLength(13);
  });

  it("cert-manager: the files, in the Go tool's order (template file order × sorted component keys), and its counts", async () => {
    const { result } = await generate("cert-manager");
    expect(result.files.map((f) => `${f.component}/${f.name}`)).toEqual([
      "cainjector/label-stomping.yaml", "controller/label-stomping.yaml", "webhook/label-stomping.yaml",
      "cainjector/leader-lease-corrupt.yaml", "controller/leader-lease-corrupt.yaml",
      "cainjector/network-partition.yaml", "controller/network-partition.yaml", "webhook/network-partition.yaml",
      "cainjector/ownerref-orphan.yaml", "controller/ownerref-orphan.yaml", "webhook/ownerref-orphan.yaml",
      "cainjector/pod-kill.yaml", "controller/pod-kill.yaml", "webhook/pod-kill.yaml",
      "cainjector/quota-exhaustion.yaml", "controller/quota-exhaustion.yaml", "webhook/quota-exhaustion.yaml",
      "controller/rbac-revoke.yaml",
      "webhook/webhook-cert-corrupt.yaml",
      "webhook/webhook-disrupt.yaml",
    ]);
    expect([result.generated, result.components, result.copied, result.skipped]).toEqual([20, 3, 0, 19]);
    expect(result.warnings).toEqual([]);
  });

  it("knative-serving (platform openshift): the route templates are skipped for want of route fields", async () => {
    const { result } = await generate("knative-serving");
    expect(result.files.filter((f) => f.name.startsWith("route-"))).toEqual([]);
    expect([result.generated, result.components, result.copied, result.skipped]).toEqual([23, 4, 0, 29]);
    expect(result.files.map((f) => `${f.component}/${f.name}`).filter((f) => f.startsWith("controller/"))).toEqual([
      "controller/label-stomping.yaml", "controller/leader-lease-corrupt.yaml", "controller/network-partition.yaml",
      "controller/ownerref-orphan.yaml", "controller/pod-kill.yaml", "controller/quota-exhaustion.yaml",
    ]);
  });

  it.each(profiles)("%s: every file is the template with its header removed and the component's values in, and validates", async (name) => {
    const { profile, result } = await generate(name);
    expect(result.files.length).toBeGreaterThan(0);
    for (const file of result.files) {
      const config = profile.components.get(file.component)!;
      const variables: Record<string, string> = { COMPONENT: file.component, OPERATOR: profile.name, COMPONENT_NAME: config.component_name ?? file.component };
      for (const [field, value] of Object.entries(config)) if (value && field !== "component_name") variables[field.toUpperCase()] = value;
      const content = String(file.content);
      expect(content, `${file.component}/${file.name}`).toBe(expectedContent(readFileSync(path.join(TEMPLATES, file.name), "utf8"), variables));
      expect(content).not.toMatch(/\$\{|# requires:|# platform:/);
      const document = parse(content) as { metadata: { name: string }; spec: { target: { operator: string; component: string } } };
      expect(document.metadata.name).toBe(`${file.component}-${file.name.replace(/\.yaml$/, "")}`);
      expect(document.spec.target.operator).toBe(profile.name);
      const checked = validateText(content, `${name}/${file.component}/${file.name}`);
      const messages = allDiagnostics(checked).map(formatDiagnostic).join("\n");
      if (`${name}/${file.component}/${file.name}` === "cert-manager/webhook/webhook-disrupt.yaml") {
        // The Go tool's own deny-list refuses this one too: its generator does not validate what it writes.
        expect(checked.status).toBe("invalid");
        expect(messages).toContain('"cert-manager-webhook" protects the whole cluster');
      } else {
        expect(checked.status, messages).toBe("valid");
      }
    }
  });
});

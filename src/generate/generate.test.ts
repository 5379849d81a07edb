import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot } from "../experiment/package-root.js";
import { allDiagnostics, validateText } from "../experiment/validate.js";
import { isRunnable, runnableFaults } from "../faults/registry.js";
import { loadProfile, loadProfileExperiments, loadTemplates, resolveProfile, writeGenerated } from "./files.js";
import { formatFloat32, resolvePlain } from "./go-yaml.js";
import { GenerateError, generateExperiments } from "./plan.js";
import { applySetVars, parseProfile, parseSetVar, ProfileError } from "./profile.js";
import { parseTemplate, parseTemplateHeader, stripHeaderComments, substituteVariables, TemplateError } from "./template.js";

const TESTDATA = path.join(packageRoot(), "src", "generate", "testdata");
const scratch = mkdtempSync(path.join(tmpdir(), "oc-generate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function fixture(options: { component?: string; setVars?: string[]; template?: string } = {}) {
  const resolved = resolveProfile(path.join(TESTDATA, "profiles", "acme"));
  return generateExperiments({
    profile: await loadProfile(resolved),
    templates: await loadTemplates(path.join(TESTDATA, "templates"), options.template),
    profileExperiments: await loadProfileExperiments(resolved.dir),
    ...options,
  });
}

describe("generate experiments (templates × profile)", () => {
  it("walks templates in file order × components in sorted order, then copies profile-specific files", async () => {
    const result = await fixture();
    expect(result.files.map((f) => `${f.component}/${f.name} (${f.source})`)).toEqual([
      "api/lease.yaml (template)", // worker has no lease_name: skipped
      "worker/pod-kill.yaml (template)", // api has its own pod-kill.yaml: skipped here, copied below
      // route.yaml is openshift-only: skipped for both components; nested/ and README.md are not templates
      "api/extra.yml (profile-specific)",
      "api/pod-kill.yaml (profile-specific)",
      "ghost/orphan.yaml (profile-specific)",
    ]);
    expect({ generated: result.generated, skipped: result.skipped, copied: result.copied, components: result.components }).toEqual({ generated: 2, skipped: 4, copied: 3, components: 2 });
    expect(result.warnings).toEqual([
      'component "worker": unknown field "colour" (will be ignored)',
      'unknown profile field "owner" (will be ignored)',
      'profile experiment directory "ghost" has no matching component in profile',
    ]);
  });

  it("strips the header only from the first five lines, then leading newlines, and substitutes once", async () => {
    const result = await fixture();
    const lease = result.files.find((f) => f.name === "lease.yaml")!.content as string;
    expect(lease.startsWith("# a comment that stays\napiVersion: chaos.operatorchaos.io/v1alpha1\n")).toBe(true);
    expect(lease).toContain("  name: api-lease\n");
    expect(lease).toContain("    component: acme-api-server\n"); // component_name
    expect(lease).toContain("    operator: acme\n"); // profile name
    expect(lease).toContain("      name: acme-api-lock\n");
    expect(lease).not.toContain("${");
    const podKill = result.files.find((f) => f.component === "worker")!.content as string;
    expect(podKill).toContain("    component: worker\n"); // component_name defaults to the key
  });

  it("copies profile-specific files byte for byte and writes <out>/<component>/<name>", async () => {
    const result = await fixture();
    const out = path.join(scratch, "out");
    await writeGenerated(out, result.files);
    expect(readdirSync(out).sort()).toEqual(["api", "ghost", "worker"]);
    expect(readFileSync(path.join(out, "api", "pod-kill.yaml"))).toEqual(readFileSync(path.join(TESTDATA, "profiles", "acme", "experiments", "api", "pod-kill.yaml")));
  });

  it("every file generated from the fixture validates", async () => {
    const result = await fixture();
    for (const file of result.files) {
      const checked = validateText(Buffer.from(file.content).toString("utf8"), `${file.component}/${file.name}`);
      expect(checked.status, `${file.component}/${file.name}`).toBe("valid");
    }
  });

  it("--component keeps one component (and its profile-specific files); an unknown one lists the available keys", async () => {
    const result = await fixture({ component: "worker" });
    expect(result.files.map((f) => `${f.component}/${f.name}`)).toEqual(["worker/pod-kill.yaml"]);
    expect(result.components).toBe(1);
    expect(result.skipped).toBe(2); // lease (no lease_name), route (platform)
    await expect(fixture({ component: "nope" })).rejects.toThrow('component "nope" not found in profile (available: [api worker])');
  });

  it("--template processes one template; a path in its name is refused", async () => {
    const result = await fixture({ template: "pod-kill.yaml" });
    expect(result.files.filter((f) => f.source === "template").map((f) => `${f.component}/${f.name}`)).toEqual(["worker/pod-kill.yaml"]);
    await expect(fixture({ template: "../pod-kill.yaml" })).rejects.toThrow("must not contain path separators or traversal characters");
  });

  it("--set-var overrides a field before matching, and checks its input as the Go tool does", async () => {
    const result = await fixture({ setVars: ["worker:lease_name=worker-lock", "api:component_name=renamed"] });
    expect(result.files.filter((f) => f.name === "lease.yaml").map((f) => f.component)).toEqual(["api", "worker"]);
    expect(result.files.find((f) => f.name === "lease.yaml")!.content).toContain("component: renamed\n");
    expect(() => parseSetVar("worker:lease_name")).toThrow("expected component:field=value format");
    expect(() => parseSetVar("worker=x")).toThrow("(missing ':')");
    expect(() => parseSetVar(":f=x")).toThrow("component and field must be non-empty");
    expect(() => parseSetVar("a:f=")).toThrow("value must be non-empty");
    await expect(fixture({ setVars: ["nope:namespace=x"] })).rejects.toThrow('--set-var: component "nope" not found in profile');
    await expect(fixture({ setVars: ["api:colour=x"] })).rejects.toThrow('unknown field "colour"');
  });
});

describe("templates", () => {
  it("reads # requires: and # platform: in the first five lines only", () => {
    expect(parseTemplateHeader("# requires: namespace, deployment\n#   platform: x\n# platform: openshift\n")).toEqual({ requires: ["namespace", "deployment"], platform: "openshift" });
    expect(parseTemplateHeader("a\nb\nc\nd\ne\n# requires: namespace\n")).toEqual({ requires: [], platform: "" });
    expect(parseTemplateHeader("\u00a0# requires: a,, b ,\n")).toEqual({ requires: ["a", "b"], platform: "" });
    expect(stripHeaderComments("\n\n# requires: x\na: 1\n# requires: y\n\n# requires: z\n")).toBe("a: 1\n\n# requires: z\n");
  });

  it("an unknown # requires: field is an error naming the file and line", () => {
    expect(() => parseTemplate("t.yaml", "templates/t.yaml", "\n# requires: namespace, colour\n")).toThrow(
      /^templates\/t\.yaml:2: unrecognized field "colour" in # requires: directive/,
    );
  });

  it("an unresolved ${VAR} is an error naming the template file and line", () => {
    const template = parseTemplate("t.yaml", "templates/t.yaml", "# requires: namespace\na: ${NAMESPACE}\nb: ${ROUTE_NAME}\nc: ${ROUTE_NAME}\n");
    expect(() => substituteVariables(template, new Map([["NAMESPACE", "ns"]]))).toThrow("templates/t.yaml:3: unresolved variables: ${ROUTE_NAME}, ${ROUTE_NAME}");
    const lower = parseTemplate("t.yaml", "templates/t.yaml", "a: ${namespace}\n");
    expect(() => substituteVariables(lower, new Map())).toThrow("templates/t.yaml:1: unresolved variable placeholders (use UPPER_CASE): ${namespace}");
  });

  it("a value is never expanded again, and a value with a newline is refused", () => {
    const template = parseTemplate("t.yaml", "t.yaml", "a: ${NAMESPACE}\n");
    expect(() => substituteVariables(template, new Map([["NAMESPACE", "${DEPLOYMENT}"], ["DEPLOYMENT", "d"]]))).toThrow("(introduced by a profile value)");
    expect(() => substituteVariables(template, new Map([["NAMESPACE", "a\nb: c"]]))).toThrow("variable NAMESPACE value contains newline characters");
    expect(substituteVariables(template, new Map([["NAMESPACE", "$& $1"]]))).toBe("a: $& $1\n");
  });

  it("the generator reports the component with the template error", async () => {
    const profile = parseProfile("name: p\ncomponents:\n  c: {namespace: ns}\n", "profile.yaml");
    const template = parseTemplate("t.yaml", "templates/t.yaml", "# requires: namespace\nmetadata:\n  name: ${FOO}\n");
    expect(() => generateExperiments({ profile, templates: [template], profileExperiments: [] })).toThrow(GenerateError);
    expect(() => generateExperiments({ profile, templates: [template], profileExperiments: [] })).toThrow("substituting t.yaml for c: templates/t.yaml:3: unresolved variables: ${FOO}");
  });
});

describe("profiles, decoded as the Go tool decodes them", () => {
  it("unknown fields are warnings (exact names), sorted; known fields match case-insensitively", () => {
    const profile = parseProfile("name: p\nExtra: 1\ncomponents:\n  b:\n    Namespace: ns\n  a:\n    deployment: d\n    other: x\n", "p.yaml");
    expect(profile.warnings).toEqual([
      'component "a": unknown field "other" (will be ignored)',
      'component "b": unknown field "Namespace" (will be ignored)',
      'unknown profile field "Extra" (will be ignored)',
    ]);
    expect(profile.components.get("b")!.namespace).toBe("ns"); // encoding/json folds case; the warning pass does not
  });

  it("YAML 1.1 scalars become their Go string form where a string is expected", () => {
    const profile = parseProfile("name: p\nversion: 1.10\ncomponents:\n  c:\n    namespace: yes\n    deployment: 0777\n    lease_name: 1e6\n    label_selector: ~\n", "p.yaml");
    expect(profile.version).toBe("1.1");
    const component = profile.components.get("c")!;
    expect([component.namespace, component.deployment, component.lease_name, component.label_selector]).toEqual(["true", "511", "1e+06", undefined]);
    expect(resolvePlain("0x1F")).toMatchObject({ kind: "int", text: "31" });
    expect(resolvePlain("1_000")).toMatchObject({ kind: "int", text: "1000" });
    expect(resolvePlain("2024-01-01")).toBe("2024-01-01");
    expect(resolvePlain("nan")).toBe("nan");
    expect(formatFloat32(1.14)).toBe("1.14");
    expect(formatFloat32(0.0001)).toBe("0.0001");
    expect(formatFloat32(0.00001)).toBe("1e-05");
    expect(formatFloat32(123456)).toBe("123456");
  });

  it("a profile without a name or components, or with a path in a component key, is an error", () => {
    expect(() => parseProfile("components: {c: {}}\n", "p.yaml")).toThrow("p.yaml: validating profile: name is required");
    expect(() => parseProfile("name: p\ncomponents: {}\n", "p.yaml")).toThrow("at least one component is required");
    expect(() => parseProfile("name: p\ncomponents:\n  ../x: {}\n", "p.yaml")).toThrow('component name "../x" contains path traversal characters');
    expect(() => parseProfile("name: p\ncomponents:\n  c:\n    namespace: [a]\n", "p.yaml")).toThrow(ProfileError);
    expect(() => parseProfile("name: p\ncomponents:\n  c:\n    namespace: [a]\n", "p.yaml")).toThrow("p.yaml:4: parsing profile: components.c.namespace: expected a string, got a list");
    expect(() => parseProfile("- a\n", "p.yaml")).toThrow("parsing profile");
  });

  it("a component with no fields gets component_name = its key; --set-var can still change it", () => {
    const profile = applySetVars(parseProfile("name: p\ncomponents:\n  c:\n", "p.yaml"), ["c:namespace=ns"]);
    expect(profile.components.get("c")).toEqual({ component_name: "c", namespace: "ns" });
  });

  it("an unknown profile name is a clear error listing the profiles there are", () => {
    expect(() => resolveProfile("no-such-profile", TESTDATA)).toThrow(/profile "no-such-profile" not found at profiles\/no-such-profile\/profile\.yaml \(available: .*acme.*llamastack-demo/);
    expect(() => resolveProfile("a/b", TESTDATA)).toThrow("neither a profile folder");
  });
});

describe("our templates and the demo profile", () => {
  const templatesDir = path.join(packageRoot(), "templates");
  const injectionType = (content: string) => (parse(content) as { spec: { injection: { type: string } } }).spec.injection.type;

  it("the templates cover every runnable fault type, each with a # requires: header", async () => {
    const templates = await loadTemplates(templatesDir);
    const types = new Set<string>();
    for (const template of templates) {
      expect(template.header.requires.length, template.name).toBeGreaterThan(0);
      const type = injectionType(stripHeaderComments(template.content).replaceAll(/\$\{[A-Z_]+\}/g, "x"));
      expect(isRunnable(type), `${template.name}: ${type} is not runnable`).toBe(true);
      types.add(type);
    }
    expect([...types].sort()).toEqual(runnableFaults().map((fault) => fault.spec.type).sort());
  });

  async function demoCatalog() {
    const resolved = resolveProfile("llamastack-demo", packageRoot());
    return generateExperiments({ profile: await loadProfile(resolved), templates: await loadTemplates(templatesDir), profileExperiments: await loadProfileExperiments(resolved.dir) });
  }

  it("profiles/llamastack-demo generates, for every runnable fault type, experiments a run accepts, aimed at the demo", async () => {
    const result = await demoCatalog();
    expect(result.warnings).toEqual([]);
    const types = new Set<string>();
    for (const file of result.files) {
      const where = `${file.component}/${file.name}`;
      const checked = validateText(String(file.content), where, { mode: "run" });
      expect(checked.status, `${where}: ${JSON.stringify(allDiagnostics(checked).filter((d) => d.severity === "error"))}`).toBe("valid");
      const document = parse(String(file.content)) as { metadata: { name: string }; spec: { target: { operator: string; component: string; resource: string }; injection: { type: string }; blastRadius: { allowedNamespaces?: string[] } } };
      types.add(document.spec.injection.type);
      expect(document.metadata.name, where).toBe(`${file.component}-${file.name.replace(/\.yaml$/, "")}`);
      // The templates target the demo operator; the profile's own pod-kill the Deployment controller.
      expect(document.spec.target, where).toMatchObject(where === "llamastack-sample/pod-kill.yaml"
        ? { operator: "kube-controller-manager", component: "deployment-controller" }
        : { operator: "llamastack", component: "llamastack-controller-manager" });
      // Never the namespace the operator runs in: the profile-specific copy aims at the one it manages.
      if (document.spec.injection.type === "NamespaceDeletion") expect(document.spec.target.resource).toBe("Namespace/llamastack-models");
    }
    expect([...types].sort()).toEqual(runnableFaults().map((fault) => fault.spec.type).sort());
    expect(result.files.filter((f) => f.source === "profile-specific").map((f) => `${f.component}/${f.name}`)).toEqual([
      "llamastack-controller-manager/namespace-deletion.yaml", "llamastack-sample/pod-kill.yaml",
    ]);
    expect([result.generated, result.components, result.copied]).toEqual([27, 2, 2]);
  });

  it("the demo catalog is deterministic: the same names in the same order, byte for byte", async () => {
    const first = await demoCatalog();
    const second = await demoCatalog();
    expect(second.files.map((f) => [f.component, f.name, String(f.content)])).toEqual(first.files.map((f) => [f.component, f.name, String(f.content)]));
    expect(first.files.slice(0, 4).map((f) => `${f.component}/${f.name}`)).toEqual([
      "llamastack-controller-manager/client-fault.yaml", "llamastack-controller-manager/config-drift.yaml",
      "llamastack-controller-manager/crash-loop-inject.yaml", "llamastack-sample/crash-loop-inject.yaml",
    ]);
  });
});

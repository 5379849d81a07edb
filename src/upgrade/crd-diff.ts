// Structural diff of CustomResourceDefinitions between two versions of an operator: per CRD and per
// API version, what changed in the OpenAPI v3 schema and in the served/storage flags, each change
// classified by what it does to objects written against the old CRD. Severities and change names follow
// the Go tool (pkg/diff/crd.go); enum narrowing by adding an enum and served/storage flips are ours. Pure.

export const Severity = { Breaking: "Breaking", Warning: "Warning", Info: "Info" } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export const CrdChange = {
  CrdAdded: "CRDAdded",
  CrdRemoved: "CRDRemoved",
  VersionAdded: "VersionAdded",
  VersionRemoved: "VersionRemoved",
  ServedChanged: "ServedChanged",
  StorageChanged: "StorageChanged",
  FieldAdded: "FieldAdded",
  FieldRemoved: "FieldRemoved",
  TypeChanged: "TypeChanged",
  RequiredAdded: "RequiredAdded",
  RequiredRemoved: "RequiredRemoved",
  EnumValueAdded: "EnumValueAdded",
  EnumValueRemoved: "EnumValueRemoved",
  EnumRestricted: "EnumRestricted",
  DefaultChanged: "DefaultChanged",
} as const;
export type CrdChange = (typeof CrdChange)[keyof typeof CrdChange];

export interface SchemaChange {
  readonly version?: string;
  /** Dotted path from the version's schema root, `[]` for list items, `{}` for map values. */
  readonly path?: string;
  readonly type: CrdChange;
  readonly severity: Severity;
  readonly oldValue?: string;
  readonly newValue?: string;
}

export interface CrdDiffEntry {
  readonly name: string;
  readonly changeType: "Added" | "Removed" | "Modified";
  readonly changes: SchemaChange[];
}

export interface CrdDiff {
  readonly crds: CrdDiffEntry[];
  readonly summary: { breaking: number; warning: number; info: number };
}

/** The parts of a CRD the diff reads; anything else in the object is ignored. */
export interface CrdDocument {
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly versions?: readonly CrdVersion[] };
}

export interface CrdVersion {
  readonly name: string;
  readonly served?: boolean;
  readonly storage?: boolean;
  readonly schema?: { readonly openAPIV3Schema?: JsonSchema };
}

export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
}

const SEVERITY: Record<CrdChange, Severity> = {
  CRDAdded: Severity.Info,
  CRDRemoved: Severity.Breaking,
  VersionAdded: Severity.Info,
  VersionRemoved: Severity.Breaking,
  ServedChanged: Severity.Breaking, // overridden to Info when a version starts being served
  StorageChanged: Severity.Warning,
  FieldAdded: Severity.Info,
  FieldRemoved: Severity.Breaking,
  TypeChanged: Severity.Breaking,
  RequiredAdded: Severity.Breaking,
  RequiredRemoved: Severity.Info,
  EnumValueAdded: Severity.Info,
  EnumValueRemoved: Severity.Breaking,
  EnumRestricted: Severity.Breaking,
  DefaultChanged: Severity.Warning,
};

const text = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function change(type: CrdChange, details: Omit<SchemaChange, "type" | "severity"> = {}, severity = SEVERITY[type]): SchemaChange {
  return { ...details, type, severity };
}

const join = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);

/** Walks both schemas side by side; `required` says whether the parent lists the field as required. */
function diffSchema(version: string, path: string, before: JsonSchema, after: JsonSchema, out: SchemaChange[]): void {
  const at = (type: CrdChange, values: { oldValue?: string; newValue?: string } = {}) => out.push(change(type, { version, ...(path ? { path } : {}), ...values }));
  if ((before.type ?? "") !== (after.type ?? "")) {
    at(CrdChange.TypeChanged, { oldValue: before.type ?? "", newValue: after.type ?? "" });
    return; // below a retyped node every difference is a consequence of the type change
  }
  if (before.enum || after.enum) {
    const old = new Set((before.enum ?? []).map(text));
    const now = new Set((after.enum ?? []).map(text));
    if (!before.enum && after.enum) at(CrdChange.EnumRestricted, { newValue: [...now].join(",") });
    else if (before.enum && !after.enum) at(CrdChange.EnumValueAdded, { oldValue: [...old].join(","), newValue: "(any)" });
    else {
      for (const value of old) if (!now.has(value)) at(CrdChange.EnumValueRemoved, { oldValue: value });
      for (const value of now) if (!old.has(value)) at(CrdChange.EnumValueAdded, { newValue: value });
    }
  }
  if (text(before.default) !== text(after.default)) {
    at(CrdChange.DefaultChanged, { ...(before.default !== undefined ? { oldValue: text(before.default) } : {}), ...(after.default !== undefined ? { newValue: text(after.default) } : {}) });
  }
  const oldProperties = before.properties ?? {};
  const newProperties = after.properties ?? {};
  const oldRequired = new Set(before.required ?? []);
  const newRequired = new Set(after.required ?? []);
  for (const key of [...new Set([...Object.keys(oldProperties), ...Object.keys(newProperties)])].sort(byName)) {
    const child = join(path, key);
    const old = oldProperties[key];
    const now = newProperties[key];
    if (old && !now) out.push(change(CrdChange.FieldRemoved, { version, path: child }));
    else if (!old && now) {
      out.push(newRequired.has(key) ? change(CrdChange.RequiredAdded, { version, path: child, newValue: "new required field" }) : change(CrdChange.FieldAdded, { version, path: child }));
    } else if (old && now) {
      if (!oldRequired.has(key) && newRequired.has(key)) out.push(change(CrdChange.RequiredAdded, { version, path: child }));
      if (oldRequired.has(key) && !newRequired.has(key)) out.push(change(CrdChange.RequiredRemoved, { version, path: child }));
      diffSchema(version, child, old, now, out);
    }
  }
  if (before.items && after.items) diffSchema(version, `${path}[]`, before.items, after.items, out);
  else if (before.items && !after.items) out.push(change(CrdChange.FieldRemoved, { version, path: `${path}[]` }));
  else if (!before.items && after.items) out.push(change(CrdChange.FieldAdded, { version, path: `${path}[]` }));
  const oldMap = typeof before.additionalProperties === "object" ? before.additionalProperties : undefined;
  const newMap = typeof after.additionalProperties === "object" ? after.additionalProperties : undefined;
  if (oldMap && newMap) diffSchema(version, `${path}{}`, oldMap, newMap, out);
}

function diffVersions(before: readonly CrdVersion[], after: readonly CrdVersion[]): SchemaChange[] {
  const out: SchemaChange[] = [];
  const old = new Map(before.map((version) => [version.name, version]));
  const now = new Map(after.map((version) => [version.name, version]));
  for (const name of [...new Set([...old.keys(), ...now.keys()])].sort(byName)) {
    const a = old.get(name);
    const b = now.get(name);
    if (a && !b) {
      out.push(change(CrdChange.VersionRemoved, { version: name }));
      continue;
    }
    if (!a && b) {
      out.push(change(CrdChange.VersionAdded, { version: name }));
      continue;
    }
    if (!a || !b) continue;
    const servedBefore = a.served ?? false;
    const servedAfter = b.served ?? false;
    if (servedBefore !== servedAfter) {
      out.push(change(CrdChange.ServedChanged, { version: name, oldValue: String(servedBefore), newValue: String(servedAfter) }, servedAfter ? Severity.Info : Severity.Breaking));
    }
    if ((a.storage ?? false) !== (b.storage ?? false)) out.push(change(CrdChange.StorageChanged, { version: name, oldValue: String(a.storage ?? false), newValue: String(b.storage ?? false) }));
    diffSchema(name, "", a.schema?.openAPIV3Schema ?? {}, b.schema?.openAPIV3Schema ?? {}, out);
  }
  return out;
}

const crdName = (crd: CrdDocument) => crd.metadata?.name ?? "";

/** Matches CRDs by name; the result is sorted by CRD name, then version, then schema path. */
export function diffCrds(source: readonly CrdDocument[], target: readonly CrdDocument[]): CrdDiff {
  const before = new Map(source.map((crd) => [crdName(crd), crd]));
  const after = new Map(target.map((crd) => [crdName(crd), crd]));
  const crds: CrdDiffEntry[] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort(byName)) {
    const a = before.get(name);
    const b = after.get(name);
    if (a && !b) crds.push({ name, changeType: "Removed", changes: [change(CrdChange.CrdRemoved)] });
    else if (!a && b) crds.push({ name, changeType: "Added", changes: [change(CrdChange.CrdAdded)] });
    else if (a && b) {
      const changes = diffVersions(a.spec?.versions ?? [], b.spec?.versions ?? []);
      if (changes.length > 0) crds.push({ name, changeType: "Modified", changes });
    }
  }
  const all = crds.flatMap((crd) => crd.changes);
  const count = (severity: Severity) => all.filter((found) => found.severity === severity).length;
  return { crds, summary: { breaking: count(Severity.Breaking), warning: count(Severity.Warning), info: count(Severity.Info) } };
}

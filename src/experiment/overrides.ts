// `--set key=value` overrides: a dot path into `spec` (with [i] indices), applied to the plain
// document before it is validated again. Unlike the Go tool, values are read as YAML scalars, so
// numbers and booleans (tier, count, dryRun, maxPodsAffected) can be overridden too; quote a value
// ('--set injection.parameters.replicas="3"') to keep it a string.
import { parse } from "yaml";

export class OverrideError extends Error {}

export interface Override {
  path: (string | number)[];
  value: unknown;
  text: string;
}

export function parseOverride(text: string): Override {
  const equals = text.indexOf("=");
  if (equals <= 0) throw new OverrideError(`invalid --set "${text}": expected key=value, e.g. injection.count=2`);
  const key = text.slice(0, equals);
  const raw = text.slice(equals + 1);
  const path: (string | number)[] = [];
  for (const part of key.split(".")) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!match) throw new OverrideError(`invalid --set "${text}": "${part}" is not a field name or field[index]`);
    path.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
  }
  let value: unknown = raw;
  try {
    value = parse(raw);
  } catch {
    value = raw;
  }
  // Fault parameters are strings on the wire, whatever they look like.
  if (path[0] === "injection" && path[1] === "parameters") value = raw;
  if (value === null || typeof value === "object") value = raw;
  return { path, value, text };
}

/** Applies overrides to a copy of an experiment document; paths are relative to `spec`. */
export function applyOverrides<T extends { spec?: unknown }>(document: T, overrides: readonly Override[]): T {
  const copy = structuredClone(document);
  for (const override of overrides) {
    let node: unknown = (copy as { spec?: unknown }).spec;
    const segments = override.path;
    for (const [i, segment] of segments.entries()) {
      const last = i === segments.length - 1;
      if (node === null || typeof node !== "object") {
        throw new OverrideError(`--set ${override.text}: spec.${segments.slice(0, i).join(".")} is not an object`);
      }
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[segment] = override.value;
      } else {
        if (container[segment] === undefined) {
          // Creating a parameters map (or any missing object) is what a user means by setting a leaf in it.
          if (typeof segments[i + 1] === "number") throw new OverrideError(`--set ${override.text}: spec.${segments.slice(0, i + 1).join(".")} does not exist`);
          container[segment] = {};
        }
        node = container[segment];
      }
    }
  }
  return copy;
}

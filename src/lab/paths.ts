import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where labs keep their state: one folder per lab name. Overridable for tests and CI. */
export function labsRoot(): string {
  return process.env.OPERATOR_CHAOS_STATE_DIR ?? join(homedir(), ".local", "state", "operator-chaos", "labs");
}

const LAB_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** Lab names become folder names and process markers: keep them DNS-label-like. */
export function assertLabName(name: string): string {
  if (!LAB_NAME.test(name)) {
    throw new Error(`lab name "${name}" is invalid (expected lower-case letters, digits and '-', 1-40 characters)`);
  }
  return name;
}

export function labDir(name: string): string {
  return join(labsRoot(), assertLabName(name));
}

/** The repository root: this file is src/lab/paths.ts, or dist/src/lab/paths.js once built. */
export function projectRoot(): string {
  const twoUp = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  return basename(twoUp) === "dist" ? dirname(twoUp) : twoUp;
}

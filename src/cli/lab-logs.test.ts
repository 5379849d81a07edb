import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findPodLogFile, lastLines } from "./lab-logs.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function labWithLogs(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "oc-logs-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, "pods", path, ".."), { recursive: true });
    writeFileSync(join(dir, "pods", path), text);
  }
  return dir;
}

describe("findPodLogFile", () => {
  it("finds the only container's log of a pod, and the named container's", () => {
    const dir = labWithLogs({ "demo_op-1_uid-a/main.log": "hello\n", "demo_op-10_uid-b/main.log": "other\n" });
    const found = findPodLogFile(dir, "demo", "op-1");
    expect(found).toEqual({ file: join(dir, "pods", "demo_op-1_uid-a", "main.log"), uid: "uid-a", container: "main" });
    expect(findPodLogFile(dir, "demo", "op-1", "main").uid).toBe("uid-a");
  });

  it("prefers the current pod's UID, otherwise the most recently written pod of that name", () => {
    const dir = labWithLogs({ "demo_db-0_old/main.log": "old\n", "demo_db-0_new/main.log": "new\n" });
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "pods", "demo_db-0_old", "main.log"), past, past);
    expect(findPodLogFile(dir, "demo", "db-0").uid).toBe("new");
    expect(findPodLogFile(dir, "demo", "db-0", undefined, "old").uid).toBe("old");
  });

  it("explains what is missing", () => {
    const dir = labWithLogs({ "demo_two_u/main.log": "", "demo_two_u/sidecar.log": "" });
    expect(() => findPodLogFile(dir, "demo", "nope")).toThrow(/only pods on the lab's process node/);
    expect(() => findPodLogFile(dir, "demo", "two")).toThrow(/choose one with -c \(main, sidecar\)/);
    expect(() => findPodLogFile(dir, "demo", "two", "proxy")).toThrow(/no container "proxy"/);
  });
});

describe("lastLines", () => {
  it("keeps the last N lines", () => {
    expect(lastLines("a\nb\nc\n", 2)).toBe("b\nc\n");
    expect(lastLines("a\nb\nc", 1)).toBe("c");
    expect(lastLines("a\nb\n", undefined)).toBe("a\nb\n");
    expect(lastLines("a\nb\n", 0)).toBe("");
  });
});

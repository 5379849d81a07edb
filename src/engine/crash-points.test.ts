// The reliability harness's hooks need two keys: a variable alone (a stray one in a user's
// environment) does nothing in the shipped CLI.

import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../experiment/package-root.js";
import { BREAK_REVERT_ENV, CRASH_AT_ENV, CrashPoint, TEST_HOOKS_KEY, THROW_AT_ENV, crashPoint, failRevertOnceForTest, revertBrokenForTest, testHooksEnabled } from "./crash-points.js";

const globals = globalThis as Record<symbol, unknown>;

afterEach(() => {
  delete globals[TEST_HOOKS_KEY];
  delete process.env[BREAK_REVERT_ENV];
  delete process.env[THROW_AT_ENV];
  delete process.env["OPERATOR_CHAOS_TEST_FAIL_REVERT_ONCE"];
});

describe("test hooks", () => {
  it("are off when only the variable is set", () => {
    process.env[BREAK_REVERT_ENV] = "ConfigDrift";
    process.env[THROW_AT_ENV] = CrashPoint.JournalWritten;
    process.env["OPERATOR_CHAOS_TEST_FAIL_REVERT_ONCE"] = "ConfigDrift";
    expect(testHooksEnabled()).toBe(false);
    expect(revertBrokenForTest("ConfigDrift")).toBe(false);
    expect(() => crashPoint(CrashPoint.JournalWritten)).not.toThrow();
    expect(() => failRevertOnceForTest("ConfigDrift")).not.toThrow();
  });

  it("work when the harness's preload module set the second key", async () => {
    await import(path.join(packageRoot(), "test", "support", "test-hooks.mjs"));
    expect(testHooksEnabled()).toBe(true);
    process.env[BREAK_REVERT_ENV] = "ConfigDrift";
    process.env[THROW_AT_ENV] = CrashPoint.JournalWritten;
    process.env["OPERATOR_CHAOS_TEST_FAIL_REVERT_ONCE"] = "PodKill";
    expect(revertBrokenForTest("ConfigDrift")).toBe(true);
    expect(revertBrokenForTest("PodKill")).toBe(false);
    expect(() => crashPoint(CrashPoint.JournalWritten)).toThrow(/test hook: journal-written/);
    expect(() => crashPoint(CrashPoint.Mutated)).not.toThrow();
    expect(() => failRevertOnceForTest("PodKill")).toThrow(/HTTP 503/);
    expect(() => failRevertOnceForTest("PodKill")).not.toThrow();
  });

  it("a crash variable kills a process only when it was started with the preload module", () => {
    const module = path.join(packageRoot(), "dist", "src", "engine", "crash-points.js");
    const script = `import(${JSON.stringify(module)}).then((m) => { m.crashPoint("journal-written"); console.log("alive"); });`;
    const env = { ...process.env, [CRASH_AT_ENV]: "journal-written" };
    const plain = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
    expect(plain.signal).toBeNull();
    expect(plain.stdout).toBe("alive\n");
    const preload = path.join(packageRoot(), "test", "support", "test-hooks.mjs");
    const harnessed = spawnSync(process.execPath, ["--import", preload, "--input-type=module", "-e", script], { env, encoding: "utf8" });
    expect(harnessed.signal).toBe("SIGKILL");
  });
});

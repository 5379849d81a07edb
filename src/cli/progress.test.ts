import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../experiment/package-root.js";
import { liveProgress, RunProgress } from "./progress.js";

const ROOT = packageRoot();
const DRIVER = path.join(ROOT, "test", "fixtures", "progress-driver.mjs");

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, columns: 120, written, write: (text: string) => written.push(text) };
}

describe("RunProgress", () => {
  it("at a terminal, rewrites one line in place with the phase, the time held of the hold and the probe", () => {
    let now = 0;
    const stream = sink(true);
    const progress = new RunProgress({ name: "drift", stream, env: { TERM: "xterm", NO_COLOR: "1" }, now: () => now });
    progress.event("phase Observing");
    progress.event("holding the fault for 180000 ms (recoveryTimeout)");
    now = 12_000;
    progress.event("reconcile probe sent: label on ConfigMap x");
    expect(progress.status()).toBe("[ 12.0s] drift: Observing · fault held 12s of 180s · probe sent");
    expect(stream.written.at(-1)).toBe("\r\x1b[2K[ 12.0s] drift: Observing · fault held 12s of 180s · probe sent");
    expect(stream.written.join("")).not.toContain("\n");
    progress.event("revert of ConfigMap x failed (attempt 1: 503); retrying in 100 ms");
    expect(stream.written.some((text) => text.endsWith("retrying in 100 ms\n"))).toBe(true);
    progress.finish();
    expect(stream.written.at(-1)).toBe("\r\x1b[2K");
  });

  it("elsewhere, or with CI set, writes one plain timestamped line per event", () => {
    const stream = sink(false);
    const progress = new RunProgress({ name: "drift", stream, env: {}, now: () => 1_500 });
    progress.event("phase Pending");
    progress.finish();
    expect(stream.written).toEqual(["[  0.0s] drift: phase Pending\n"]);
    expect(liveProgress({ isTTY: true }, { CI: "true" })).toBe(false);
    expect(liveProgress({ isTTY: true }, {})).toBe(true);
  });
});

function spawnDriver(args: readonly string[], env: Record<string, string | undefined>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(args[0]!, args.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("progress in a real pseudo-terminal (util-linux script)", () => {
  it("updates one line in place at a terminal; writes plain lines when piped or under CI", async () => {
    // The driver imports the built module; the unit project's other CLI tests build it.
    expect(existsSync(path.join(ROOT, "dist", "src", "cli", "progress.js"))).toBe(true);
    const command = `'${process.execPath}' '${DRIVER}'`;
    const terminal = await spawnDriver(["script", "-qfec", command, "/dev/null"], { CI: undefined, TERM: "xterm", NO_COLOR: "1" });
    expect(terminal.status).toBe(0);
    const rewrites = terminal.stdout.split("\r\x1b[2K").length - 1;
    expect(rewrites).toBeGreaterThanOrEqual(12);
    expect(terminal.stdout).toContain("demo-config-drift: Observing · fault held 0s of 180s");
    expect(terminal.stdout).toContain("probe repaired");
    // Only the kept events and the result end a line; the twelve updates share one.
    expect(terminal.stdout.split("\n").length - 1).toBeLessThan(6);

    const piped = await spawnDriver([process.execPath, DRIVER], { CI: undefined });
    expect(piped.stderr).not.toContain("\r");
    expect(piped.stderr).not.toMatch(/\x1b\[/);
    const lines = piped.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(12);
    for (const line of lines) expect(line).toMatch(/^\[ *\d+\.\ds\] demo-config-drift: /);

    const ci = await spawnDriver(["script", "-qfec", command, "/dev/null"], { CI: "true", TERM: "xterm" });
    expect(ci.stdout).not.toContain("\x1b[2K");
    expect(ci.stdout.trimEnd().split("\n")).toHaveLength(13);
  });
});

// Builds a Go program of test/fixtures inside the lab's Go module (lab/kube), so it reuses the
// client-go the lab build already downloaded and compiled (-trimpath, as lab/build.sh builds). The
// binary is cached by a hash of its source and the module files; Go's build cache covers the rest.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const MODULE = join(ROOT, "lab", "kube");

/** The path of the built binary of test/fixtures/<name>/main.go (built once per source version). */
export async function buildGoFixture(name: string): Promise<string> {
  const source = join(ROOT, "test", "fixtures", name, "main.go");
  const hash = createHash("sha256");
  for (const file of [source, join(MODULE, "go.mod"), join(MODULE, "go.sum")]) hash.update(readFileSync(file));
  const cacheDir = join(process.env.OPERATOR_CHAOS_CACHE ?? join(homedir(), ".cache", "operator-chaos"), "fixtures");
  const binary = join(cacheDir, `${name}-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  // The fixture joins the module through an overlay: a package path inside lab/kube that exists only for this build.
  const overlay = join(cacheDir, `${name}.overlay.json`);
  writeFileSync(overlay, JSON.stringify({ Replace: { [join(MODULE, "cmd", `fixture-${name}`, "main.go")]: source } }));
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    await run(process.env.GO ?? "go", ["build", "-trimpath", "-overlay", overlay, "-o", partial, `./cmd/fixture-${name}`], {
      cwd: MODULE, env: { ...process.env, GOFLAGS: "-mod=readonly" }, maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new Error(`building test/fixtures/${name} in lab/kube failed (Go 1.26+ and the lab's modules are needed):\n${detail}`);
  }
  renameSync(partial, binary);
  return binary;
}

#!/usr/bin/env node
// `npm run bench`: runs every benchmark of the project, writes bench/results.json (name, value,
// unit, command) and bench/results.md (the table the README shows), with the machine's size.
// `--cold` also measures a cold build of the lab's control plane (empty Go caches; many minutes).
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSetup } from "./setup.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
ensureSetup({ quiet: true });

function collect(script, args = []) {
  process.stderr.write(`bench: ${script} ${args.join(" ")}\n`);
  const result = spawnSync(process.execPath, [join(root, "bench", script), ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${script} failed with exit ${result.status}`);
  return result.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

const results = [];
if (process.argv.includes("--cold")) {
  // A cold build: fresh Go module and build caches and an empty binary cache.
  const scratch = mkdtempSync(join(tmpdir(), "oc-cold-"));
  const t0 = Date.now();
  const build = spawnSync("bash", [join(root, "lab", "build.sh")], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, OPERATOR_CHAOS_CACHE: join(scratch, "cache"), GOMODCACHE: join(scratch, "gomod"), GOCACHE: join(scratch, "gobuild"), PATH: `/usr/local/go/bin:${process.env.PATH}` },
  });
  if (build.status !== 0) throw new Error("cold build failed");
  results.push({ name: "lab.cold_build", value: Math.round((Date.now() - t0) / 1000), unit: "s", command: "npm run bench -- --cold (lab/build.sh with empty GOMODCACHE, GOCACHE and binary cache)" });
  spawnSync("chmod", ["-R", "u+w", scratch]);
  rmSync(scratch, { recursive: true, force: true });
}
results.push(...collect("validate.bench.mjs"));
results.push(...collect("engine.bench.mjs"));
results.push(...collect("requests.bench.mjs"));
results.push(...collect("engine-safety.bench.mjs"));
results.push(...collect("process-runner.bench.mjs"));
results.push(...collect("sdk.bench.mjs"));
results.push(...collect("evidence.bench.mjs"));
results.push(...collect("object-faults-b.bench.mjs"));
results.push(...collect("suite.bench.mjs"));
results.push(...collect("admission.bench.mjs"));
results.push(...collect("upgrade.bench.mjs"));
results.push(...collect("dashboard.bench.mjs"));

const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${cpus()[0]?.model ?? "unknown CPU"}`;
writeFileSync(join(root, "bench", "results.json"), `${JSON.stringify({ generated: new Date().toISOString(), machine, results }, null, 2)}\n`);
const rows = results.map((r) => `| ${r.name} | ${r.value} ${r.unit} | \`${r.command}\` |`);
writeFileSync(join(root, "bench", "results.md"), [`Measured on ${machine}, ${new Date().toISOString().slice(0, 10)}.`, "", "| figure | value | command |", "|---|---|---|", ...rows, ""].join("\n"));
process.stdout.write(`${rows.join("\n")}\n`);

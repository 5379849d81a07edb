#!/usr/bin/env node
// API requests of each seed experiment (experiments/llamastack: PodKill, ConfigDrift,
// NetworkPartition, RBACRevoke) against the demo llamastack operator, counted by the API server
// itself: the lab audits ServiceAccounts of one namespace, and the CLI runs as one of them
// (src/lab/audit.ts). Also the CLI's peak RSS over those runs. With OPERATOR_CHAOS_GO_BIN set, the
// Go tool runs the same files as another audited ServiceAccount (see bench/compare.md).
// Prints a table per experiment on stderr and one JSON line per figure on stdout.
// Usage: node bench/requests.bench.mjs [--lab NAME]  (NAME: reuse a running lab and keep it)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const { labUp } = await import(dist("src/lab/up.js"));
const { labDown } = await import(dist("src/lab/down.js"));
const { KubeRest } = await import(dist("src/kube/rest.js"));
const { auditedUser, auditMark, auditedRequests, tallyRequests } = await import(dist("src/lab/audit.js"));
const { deployLlamastack, undeployLlamastack } = await import(dist("examples/llamastack/deploy.js"));
const { KubeConfig } = await import("@kubernetes/client-node");

const SEEDS = ["pod-kill", "config-drift", "network-partition", "rbac-revoke"];
/** The same short windows as test/requests.test.ts and the demo. */
export const RUN_FLAGS = ["--hold", "10s", "--stability-window", "3s"];
const labArg = process.argv.indexOf("--lab");
const keep = labArg !== -1;
const name = keep ? process.argv[labArg + 1] : `bench-requests-${process.pid}`;
const emit = (figure, value, unit, command) => process.stdout.write(`${JSON.stringify({ name: figure, value, unit, command })}\n`);
const log = (line) => process.stderr.write(`bench: ${line}\n`);

function runTool(command, args, kubeconfig, env = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command[0], [...command.slice(1), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.once("error", reject);
    child.once("close", (code) => resolveRun({ code, out, err }));
  });
}

const lab = await labUp({ name });
const config = new KubeConfig();
config.loadFromFile(lab.kubeconfig);
const rest = new KubeRest(config);
const scratch = mkdtempSync(join(tmpdir(), "oc-requests-"));
try {
  await deployLlamastack(lab.kubeconfig, { switches: {} });
  const tools = [{ label: "here", user: await auditedUser(lab, rest, "cli"),
    command: [process.execPath, "--import", join(root, "bench", "maxrss.mjs"), dist("src/cli/main.js"), "run"], flags: ["-o", "json", ...RUN_FLAGS] }];
  // The bundled CLI (scripts/bundle.mjs) on one seed: same requests, its own peak RSS.
  tools.push({ label: "bundle", seeds: ["pod-kill"], user: tools[0].user,
    command: [process.execPath, "--import", join(root, "bench", "maxrss.mjs"), dist("bundle/operator-chaos.mjs"), "run"], flags: ["-o", "json", ...RUN_FLAGS] });
  if (process.env.OPERATOR_CHAOS_GO_BIN) {
    const extra = (process.env.OPERATOR_CHAOS_GO_ARGS ?? "").split(" ").filter(Boolean);
    // GNU time appends the Go tool's peak RSS (KiB) to the same kind of file maxrss.mjs writes.
    const rssGo = join(scratch, "maxrss-go");
    tools.push({ label: "go", user: await auditedUser(lab, rest, "go-tool"), command: ["/usr/bin/time", "-f", "%M", "-a", "-o", rssGo, process.env.OPERATOR_CHAOS_GO_BIN, "run"], flags: extra });
  }
  for (const tool of tools) {
    const rssFile = join(scratch, `maxrss-${tool.label}`);
    for (const seed of tool.seeds ?? SEEDS) {
      const file = join(root, "experiments", "llamastack", `${seed}.yaml`);
      const mark = await auditMark(lab);
      const result = await runTool(tool.command, [file, ...tool.flags], tool.user.kubeconfig, { OPERATOR_CHAOS_MAXRSS_FILE: rssFile });
      const requests = await auditedRequests(lab, tool.user.username, mark);
      let verdict = "?";
      try { verdict = JSON.parse(result.out).evaluation?.verdict ?? "?"; } catch { /* the Go tool prints text */ }
      log(`${tool.label} ${seed}: exit ${result.code}, verdict ${verdict}, ${requests.length} requests`);
      for (const [key, count] of tallyRequests(requests)) log(`    ${String(count).padStart(3)}  ${key}`);
      if (tool.label !== "go" && result.code !== 0) throw new Error(`${seed} exited ${result.code}: ${result.err.slice(-800)}`);
      if (tool.label === "bundle") continue;
      emit(`requests.${seed}${tool.label === "go" ? ".go" : ""}`, requests.length, "requests",
        `node bench/requests.bench.mjs (${tool.label === "go" ? "$OPERATOR_CHAOS_GO_BIN run" : "operator-chaos run"} experiments/llamastack/${seed}.yaml ${tool.flags.filter((f) => f !== "-o" && f !== "json").join(" ")}; counted by the API server's audit log)`);
    }
    {
      const rss = readFileSync(rssFile, "utf8").trim().split("\n").map(Number);
      const what = { bundle: "dist/bundle/operator-chaos.mjs run pod-kill.yaml; node --import bench/maxrss.mjs", here: "dist/src/cli/main.js run, four seeds; node --import bench/maxrss.mjs", go: "$OPERATOR_CHAOS_GO_BIN run, four seeds; /usr/bin/time" }[tool.label];
      emit(`cli.run_peak_rss${tool.label === "here" ? "" : `.${tool.label}`}.max`, Math.round(Math.max(...rss) / 1024), "MiB", `node bench/requests.bench.mjs (${what})`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await undeployLlamastack(lab.kubeconfig).catch(() => undefined);
  rest.close();
  if (!keep) await labDown(name);
}

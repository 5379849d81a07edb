// Installs what the project needs on a fresh machine, and nothing that is already there:
// npm packages (npm ci), Debian packages the lab uses (openssl for its PKI, iproute2 and
// nftables for the process runner's network namespaces, chromium for the dashboard's browser tests). The control plane itself is built
// from Go modules by lab/build.sh the first time a lab starts, and cached.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed with exit ${result.status}`);
}

const has = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

export function ensureSetup({ quiet = false } = {}) {
  const say = (line) => quiet || process.stderr.write(`setup: ${line}\n`);
  const debian = { openssl: "openssl", ip: "iproute2", nft: "nftables", chromium: "chromium" };
  const missing = Object.entries(debian).filter(([command]) => !has(command)).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) throw new Error(`missing Debian packages ${missing.join(", ")}; install them as root`);
    say(`installing Debian packages: ${missing.join(", ")}`);
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", ...missing], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  if (!existsSync(join(root, "node_modules", ".package-lock.json"))) {
    say("installing npm packages (npm ci)");
    run("npm", ["ci", "--no-audit", "--no-fund"]);
  }
  if (!has("go") && existsSync("/usr/local/go/bin/go")) {
    // Go's own install location; the lab build needs it on PATH.
    process.env.PATH = `/usr/local/go/bin:${process.env.PATH}`;
  }
  say("compiling TypeScript");
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
}

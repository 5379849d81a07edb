#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles the CLI from dist/src/cli/main.js into
// dist/bundle/operator-chaos.mjs (+ chunks/ for the lazily loaded subcommands). Bundling lets
// esbuild drop what a command never uses — above all @kubernetes/client-node's generated API
// classes, which a plain import of its KubeConfig loads (about 60 MB of a run's peak RSS) — and
// saves resolving hundreds of files at start-up. The files under dist/src stay what tests import.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { "operator-chaos": join(root, "dist", "src", "cli", "main.js") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  // Bundled CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __ocCreateRequire } from 'node:module'; const require = __ocCreateRequire(import.meta.url);" },
  logLevel: "warning",
  legalComments: "none",
});

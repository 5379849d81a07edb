// Where the compatibility check finds the Go tool's files: `npm run test:compat [DIR]` passes DIR as
// OPERATOR_CHAOS_CORPUS (default ../shared/corpus beside the repository); the seed page is read
// from OPERATOR_CHAOS_SEED, by default ../seed/000_2e815f1451626d9f.txt next to the corpus.

import { existsSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../../src/experiment/package-root.js";

export const ROOT = packageRoot();
export const CORPUS = path.resolve(process.env.OPERATOR_CHAOS_CORPUS ?? path.join(ROOT, "..", "shared", "corpus"));
export const SEED = path.resolve(process.env.OPERATOR_CHAOS_SEED ?? path.join(CORPUS, "..", "seed", "000_2e815f1451626d9f.txt"));

// Fail loudly (not skip) when the files are not there: this project exists to run these checks.
if (!existsSync(path.join(CORPUS, "experiments"))) throw new Error(`the Go tool's corpus is not at ${CORPUS} (no experiments/ directory); pass its directory: npm run test:compat DIR`);

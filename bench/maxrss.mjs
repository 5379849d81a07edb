// Preloaded with `node --import ./bench/maxrss.mjs …`: on exit, appends the process's peak RSS
// (KiB) to the file named by OPERATOR_CHAOS_MAXRSS_FILE. Used only by the benchmarks.
import { appendFileSync } from "node:fs";

const file = process.env.OPERATOR_CHAOS_MAXRSS_FILE;
if (file) process.on("exit", () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));

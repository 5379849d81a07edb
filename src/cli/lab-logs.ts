import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";

export interface PodLogLocation {
  file: string;
  uid: string;
  container: string;
}

/**
 * The log file of a pod's container on the lab's process node:
 * <labDir>/pods/<namespace>_<pod>_<uid>/<container>.log. Several pods of that name (a replaced
 * StatefulSet pod) → `currentUid` when given, else the most recently written one.
 */
export function findPodLogFile(labDir: string, namespace: string, pod: string, container?: string, currentUid?: string): PodLogLocation {
  const root = join(labDir, "pods");
  const prefix = `${namespace}_${pod}_`;
  let dirs: string[] = [];
  try {
    dirs = readdirSync(root).filter((d) => d.startsWith(prefix) && !d.slice(prefix.length).includes("_"));
  } catch {
    // no pod ran on the process node yet
  }
  if (dirs.length === 0) {
    throw new Error(`no logs for pod ${namespace}/${pod}: only pods on the lab's process node (lab-process-node) have logs here`);
  }
  const newest = (dir: string) => Math.max(0, ...readdirSync(join(root, dir)).map((f) => statSync(join(root, dir, f)).mtimeMs));
  const chosen = (currentUid ? dirs.find((d) => d === `${prefix}${currentUid}`) : undefined)
    ?? dirs.sort((a, b) => newest(b) - newest(a))[0]!;
  const files = readdirSync(join(root, chosen)).filter((f) => f.endsWith(".log")).map((f) => f.slice(0, -4));
  const name = container ?? (files.length === 1 ? files[0] : undefined);
  if (!name || !files.includes(name)) {
    throw new Error(container
      ? `pod ${namespace}/${pod} has no container "${container}" with logs (containers: ${files.join(", ") || "none"})`
      : `pod ${namespace}/${pod} has several containers with logs: choose one with -c (${files.join(", ")})`);
  }
  return { file: join(root, chosen, `${name}.log`), uid: chosen.slice(prefix.length), container: name };
}

/** The last `lines` lines of a text (all when undefined or negative). */
export function lastLines(text: string, lines: number | undefined): string {
  if (lines === undefined || lines < 0) return text;
  if (lines === 0) return "";
  const parts = text.split("\n");
  const trailing = parts[parts.length - 1] === "" ? parts.pop() : undefined;
  return parts.slice(-lines).join("\n") + (trailing !== undefined ? "\n" : "");
}

async function readFrom(file: string, start: number): Promise<{ text: string; end: number }> {
  const size = statSync(file).size;
  if (size <= start) return { text: "", end: size < start ? 0 : start };
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(file, { start, end: size - 1 })) chunks.push(chunk as Buffer);
  return { text: Buffer.concat(chunks).toString("utf8"), end: size };
}

/** `operator-chaos lab logs POD`: a process-node pod's output (stdout and stderr). */
export function registerLabLogsCommand(labCommand: Command): void {
  labCommand.command("logs")
    .description("print the logs of a pod that runs as a local process on the lab's process node")
    .argument("<pod>", "pod name")
    .option("-n, --namespace <namespace>", "the pod's namespace", "default")
    .option("-c, --container <container>", "container name (default: the pod's first container)")
    .option("--name <name>", "lab name", "default")
    .option("-f, --follow", "keep printing new output", false)
    .option("--tail <lines>", "only the last N lines", (v) => Number.parseInt(v, 10))
    .action(async (pod: string, opts: { namespace: string; container?: string; name: string; follow: boolean; tail?: number }) => {
      const { labDir } = await import("../lab/paths.js");
      const { readLabState } = await import("../lab/state.js");
      const dir = labDir(opts.name);
      const state = await readLabState(dir);
      if (!state) throw new Error(`lab "${opts.name}" is not up`);
      // Ask the API for the pod's UID and first container, when it still exists.
      let uid: string | undefined;
      let container = opts.container;
      try {
        const { CoreV1Api, KubeConfig } = await import("@kubernetes/client-node");
        const config = new KubeConfig();
        config.loadFromFile(state.kubeconfig);
        const object = await config.makeApiClient(CoreV1Api).readNamespacedPod({ name: pod, namespace: opts.namespace });
        uid = object.metadata?.uid;
        container ??= object.spec?.containers?.[0]?.name;
      } catch {
        // Deleted already: its logs stay until `lab down`.
      }
      const location = findPodLogFile(dir, opts.namespace, pod, container, uid);
      if (!existsSync(location.file)) throw new Error(`no log file ${location.file}`);
      let { text, end } = await readFrom(location.file, 0);
      process.stdout.write(lastLines(text, opts.tail));
      if (!opts.follow) return;
      await new Promise<void>((resolveFollow) => {
        const timer = setInterval(() => {
          void readFrom(location.file, end).then((next) => {
            if (next.text) process.stdout.write(next.text);
            end = next.end;
          }, () => {
            clearInterval(timer);
            resolveFollow();
          });
        }, 250);
        process.once("SIGINT", () => {
          clearInterval(timer);
          resolveFollow();
        });
      });
    });
}

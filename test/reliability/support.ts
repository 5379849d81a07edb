// Helpers of the reliability harness: comparing cluster dumps field by field, following a CLI
// child's progress, and waiting for the things a scenario sets up.
import type { ChildProcess } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeRest } from "../../src/kube/rest.js";
import { waitForCollection } from "../../src/kube/watcher.js";
import { JOURNAL_LABEL } from "../../src/journal/labels.js";

export type Dump = Record<string, unknown>;

/** Keys of a dump look like `<groupVersion>/<resource>/<name>`. */
export const isPodKey = (key: string) => key.startsWith("v1/pods/");
export const isResultKey = (key: string) => key.startsWith("v1/configmaps/chaos-result-");

/**
 * Cluster-scoped kinds whose objects change on their own while the lab runs (a node's heartbeat
 * annotations, namespaces other tests create, certificate requests); no fault of ours writes them.
 */
const CLUSTER_VOLATILE = ["v1/nodes/", "v1/namespaces/", "certificates.k8s.io/v1/certificatesigningrequests/"];

/** Kinds whose objects change on their own (controllers' heartbeats and event streams), as in test/support/dump.ts. */
const VOLATILE = new Set(["events", "leases"]);

interface ApiResource {
  name: string;
  namespaced: boolean;
  verbs: string[];
}

/** Listable resources by group version, discovered once per test file (the harness adds no API). */
let discovered: Promise<{ base: string; groupVersion: string; resource: ApiResource }[]> | undefined;

function listableResources(rest: KubeRest): NonNullable<typeof discovered> {
  discovered ??= (async () => {
    const groups = await rest.get<{ groups: { preferredVersion: { groupVersion: string } }[] }>("/apis");
    const groupVersions = ["v1", ...groups.groups.map((group) => group.preferredVersion.groupVersion)];
    const lists = await Promise.all(groupVersions.map(async (groupVersion) => {
      const base = groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`;
      const list = await rest.get<{ resources: ApiResource[] }>(base);
      return list.resources
        .filter((resource) => !resource.name.includes("/") && resource.verbs.includes("list") && !VOLATILE.has(resource.name))
        .map((resource) => ({ base, groupVersion, resource }));
    }));
    return lists.flat();
  })();
  return discovered;
}

/**
 * Every object of the namespace, and (when asked) every cluster-scoped object but the volatile
 * kinds, keyed `<scope>:<groupVersion>/<resource>/<name>`, with the fields the server manages
 * removed exactly as test/support/dump.ts does (labels, annotations, data and spec are kept) —
 * the lists sent in parallel, which makes a dump a few times faster.
 */
export async function clusterDump(config: KubeConfig, namespace: string, withClusterScoped: boolean): Promise<Dump> {
  const rest = new KubeRest(config);
  const resources = (await listableResources(rest)).filter(({ resource }) => resource.namespaced || withClusterScoped);
  const lists = await Promise.all(resources.map(async ({ base, groupVersion, resource }) => {
    const path = resource.namespaced ? `${base}/namespaces/${namespace}/${resource.name}` : `${base}/${resource.name}`;
    const items = await rest.get<{ items: Record<string, unknown>[] }>(path).then((list) => list.items);
    return items.map((item) => {
      const metadata = { ...(item.metadata as Record<string, unknown>) };
      for (const field of ["resourceVersion", "managedFields", "generation", "creationTimestamp", "uid"]) delete metadata[field];
      const { status: _status, ...kept } = item;
      return [`${resource.namespaced ? namespace : "cluster"}:${groupVersion}/${resource.name}/${metadata.name as string}`, { ...kept, metadata }] as const;
    });
  }));
  return Object.fromEntries(lists.flat().filter(([key]) => !CLUSTER_VOLATILE.some((prefix) => key.startsWith(`cluster:${prefix}`))));
}

/**
 * Field-by-field differences between two dumps, one line each (empty when equal): objects only
 * before, objects only after, and for each object in both, every leaf path whose value differs.
 * `ignore` drops keys from both sides (e.g. pods replaced on purpose, result ConfigMaps).
 */
export function dumpDifferences(before: Dump, after: Dump, ignore: (key: string) => boolean = () => false): string[] {
  const differences: string[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !ignore(key.replace(/^[^:]*:/, ""))).sort();
  for (const key of keys) {
    if (!(key in after)) differences.push(`${key}: missing after`);
    else if (!(key in before)) differences.push(`${key}: new after`);
    else fieldDifferences(before[key], after[key], key, differences);
  }
  return differences;
}

function fieldDifferences(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isDeepStrictEqual(a, b)) return;
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
  if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      fieldDifferences(a[field], b[field], `${path}.${field}`, out);
    }
    return;
  }
  out.push(`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
}

/** Journal records (ConfigMaps and Secrets) left in a namespace, by name. */
export async function journalRecords(config: KubeConfig, namespace: string): Promise<string[]> {
  const rest = new KubeRest(config);
  const names: string[] = [];
  for (const resource of ["configmaps", "secrets"]) {
    const list = await rest.get<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${namespace}/${resource}`, { query: { labelSelector: `${JOURNAL_LABEL}=record` } });
    names.push(...list.items.map((item) => `${resource}/${item.metadata.name}`));
  }
  return names;
}

/** A spawned CLI's output so far, and a way to wait for a line. */
export interface Followed {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr matches; rejects if the child exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function follow(child: ChildProcess): Followed {
  let out = "";
  let err = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(err)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => child.once("close", (code, signal) => resolveExit({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor(pattern, timeoutMs = 60_000) {
      if (pattern.test(err)) return Promise.resolve();
      return new Promise<void>((resolveWait, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} on stderr within ${timeoutMs} ms:\n${err}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => { clearTimeout(timer); resolveWait(); } });
        void exit.then(({ code, signal }) => {
          clearTimeout(timer);
          if (!pattern.test(err)) reject(new Error(`the CLI exited (${code ?? signal}) before ${pattern}:\nstdout:\n${out}\nstderr:\n${err}`));
        });
      });
    },
  };
}

/** Waits (by watch) until a new namespace has what the control plane adds to every namespace. */
export async function namespaceSettled(rest: KubeRest, namespace: string): Promise<void> {
  await waitForCollection(rest, { path: `/api/v1/namespaces/${namespace}/serviceaccounts`, timeoutMs: 60_000, what: `the default ServiceAccount of ${namespace}` },
    (accounts) => (accounts.has(`${namespace}/default`) ? true : undefined));
  await waitForCollection(rest, { path: `/api/v1/namespaces/${namespace}/configmaps`, timeoutMs: 60_000, what: `kube-root-ca.crt in ${namespace}` },
    (maps) => (maps.has(`${namespace}/kube-root-ca.crt`) ? true : undefined));
}

/** A KWOK-run Deployment `name` (label app=<name>) with `replicas` pods, created and waited for until Available with every pod Running. */
export async function kwokDeployment(rest: KubeRest, namespace: string, name: string, replicas = 1): Promise<void> {
  await rest.create(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example/${name}:1` }] } },
    },
  });
  await waitForCollection(rest, { path: `/apis/apps/v1/namespaces/${namespace}/deployments`, timeoutMs: 90_000, what: `${name} Available` },
    (deployments) => ((deployments.get(`${namespace}/${name}`)?.status as { availableReplicas?: number } | undefined)?.availableReplicas === replicas ? true : undefined));
  await podsBack(rest, namespace, `app=${name}`, replicas);
}

/** Waits until exactly `count` pods match, none terminating, all Running. */
export async function podsBack(rest: KubeRest, namespace: string, labelSelector: string, count: number, timeoutMs = 90_000): Promise<void> {
  await waitForCollection(rest, { path: `/api/v1/namespaces/${namespace}/pods`, labelSelector, timeoutMs, what: `${count} Running pod(s) matching ${labelSelector}` }, (pods) => {
    const items = [...pods.values()];
    const running = items.filter((pod) => !(pod.metadata as { deletionTimestamp?: string }).deletionTimestamp
      && (pod.status as { phase?: string } | undefined)?.phase === "Running");
    return items.length === count && running.length === count ? true : undefined;
  });
}

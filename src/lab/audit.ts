// The lab's own count of a client's API requests: the API server writes one audit event per stage
// of every request by a ServiceAccount of AUDITED_NAMESPACE (see components.ts); a measured tool
// is handed a kubeconfig for such a ServiceAccount (bound to cluster-admin, like the lab's admin),
// and its requests are read back from the log by user.
import { existsSync } from "node:fs";
import { open, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isConflict, type KubeRest } from "../kube/rest.js";
import { AUDITED_NAMESPACE, auditLogFile } from "./components.js";
import { renderKubeconfig } from "./kubeconfig.js";
import type { LabState } from "./state.js";

export interface AuditedUser {
  /** The ServiceAccount's user name, as the audit log spells it. */
  username: string;
  kubeconfig: string;
}

/** One request, from its audit events (stages ResponseStarted and ResponseComplete share an auditID). */
export interface AuditedRequest {
  auditID: string;
  verb: string;
  /** e.g. "pods", "leases", "selfsubjectaccessreviews", "configmaps" or the URI for a non-resource path. */
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  code?: number;
  /** requestReceivedTimestamp (microseconds), for ordering. */
  receivedAt: string;
}

async function ensure(rest: KubeRest, path: string, body: unknown): Promise<void> {
  try {
    await rest.create(path, body);
  } catch (error) {
    if (!isConflict(error)) throw error; // AlreadyExists: made by an earlier measurement
  }
}

/**
 * A ServiceAccount `name` in the audited namespace with cluster-admin, and a kubeconfig with a
 * one-hour token for it (written next to the lab's own kubeconfig).
 */
export async function auditedUser(lab: LabState, rest: KubeRest, name: string): Promise<AuditedUser> {
  if (!existsSync(auditLogFile(lab.dir))) {
    throw new Error(`lab ${lab.name} has no audit log (${auditLogFile(lab.dir)}): it was started before auditing existed; run \`operator-chaos lab down --name ${lab.name}\` and start it again`);
  }
  const ns = AUDITED_NAMESPACE;
  await ensure(rest, "/api/v1/namespaces", { metadata: { name: ns } });
  await ensure(rest, `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name } });
  await ensure(rest, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    metadata: { name: `${ns}-${name}` },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
  });
  const token = await rest.create<{ status: { token: string } }>(`/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 },
  });
  const kubeconfig = join(lab.dir, `kubeconfig-audited-${name}`);
  await writeFile(kubeconfig, renderKubeconfig({
    server: lab.server, caFile: lab.caFile, token: token.status.token, user: `audited-${name}`, contextName: `lab-${lab.name}`,
  }), { mode: 0o600 });
  return { username: `system:serviceaccount:${ns}:${name}`, kubeconfig };
}

/** Where the log ends now: requests are read from a mark onwards. */
export async function auditMark(lab: LabState): Promise<number> {
  return (await stat(auditLogFile(lab.dir))).size;
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString("utf8");
  } finally {
    await handle.close();
  }
}

interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
}

/** The requests `username` made after `mark`, in the order the server received them. */
export function parseAudit(text: string, username: string): AuditedRequest[] {
  const requests = new Map<string, AuditedRequest>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue; // a partly written last line is read next time
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch {
      continue;
    }
    if (event.user?.username !== username) continue;
    const ref = event.objectRef ?? {};
    const request: AuditedRequest = {
      auditID: event.auditID, verb: event.verb, receivedAt: event.requestReceivedTimestamp, resource: ref.resource ?? event.requestURI.split("?")[0] ?? event.requestURI,
      ...(ref.subresource ? { subresource: ref.subresource } : {}),
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      ...(ref.name ? { name: ref.name } : {}),
      ...(event.responseStatus?.code !== undefined ? { code: event.responseStatus.code } : {}),
    };
    requests.set(event.auditID, { ...requests.get(event.auditID), ...request });
  }
  return [...requests.values()].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

/**
 * The requests after `mark`, once the log has stopped growing for `quietMs` (a watch's last event
 * is written when the server notices the client went away), within `timeoutMs`.
 */
export async function auditedRequests(lab: LabState, username: string, mark: number, options: { quietMs?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<AuditedRequest[]> {
  const quietMs = options.quietMs ?? 1_000;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let size = -1;
  for (;;) {
    const now = (await stat(auditLogFile(lab.dir))).size;
    if (now === size || Date.now() >= deadline) break;
    size = now;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (options.signal?.aborted) throw options.signal.reason;
  }
  return parseAudit(await readFrom(auditLogFile(lab.dir), mark), username);
}

/** "verb resource[/subresource]" → count, largest first. */
export function tallyRequests(requests: AuditedRequest[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

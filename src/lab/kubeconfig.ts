import { readFileSync } from "node:fs";
import { stringify } from "yaml";

export interface KubeconfigSpec {
  server: string;
  caFile: string;
  /** tls-server-name, when the address dialled is not one the serving certificate names. */
  tlsServerName?: string;
  clientCertFile?: string;
  clientKeyFile?: string;
  token?: string;
  user: string;
  namespace?: string;
  contextName: string;
}

const b64 = (file: string) => readFileSync(file).toString("base64");

/** A self-contained kubeconfig (certificates inlined) so it can be copied anywhere. */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  const user: Record<string, string> = {};
  if (spec.clientCertFile) user["client-certificate-data"] = b64(spec.clientCertFile);
  if (spec.clientKeyFile) user["client-key-data"] = b64(spec.clientKeyFile);
  if (spec.token) user.token = spec.token;
  const cluster: Record<string, string> = { server: spec.server, "certificate-authority-data": b64(spec.caFile) };
  if (spec.tlsServerName) cluster["tls-server-name"] = spec.tlsServerName;
  const context: Record<string, string> = { cluster: spec.contextName, user: spec.user };
  if (spec.namespace) context.namespace = spec.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: spec.contextName, cluster }],
    users: [{ name: spec.user, user }],
    contexts: [{ name: spec.contextName, context }],
    "current-context": spec.contextName,
    preferences: {},
  });
}

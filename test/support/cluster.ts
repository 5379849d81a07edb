import { randomBytes } from "node:crypto";
import { AppsV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { inject } from "vitest";
import type { LabState } from "../../src/lab/state.js";

/** The lab the global setup started, with admin clients. */
export function labClients() {
  const lab: LabState = inject("lab");
  const config = new KubeConfig();
  config.loadFromFile(lab.kubeconfig);
  return {
    lab,
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    rbac: config.makeApiClient(RbacAuthorizationV1Api),
  };
}

/** A namespace of this test file's own; returns its name. */
export async function freshNamespace(core: CoreV1Api, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  await core.createNamespace({ body: { metadata: { name, labels: { "operator-chaos.io/test": prefix } } } });
  return name;
}

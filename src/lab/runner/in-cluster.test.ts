import { describe, expect, it } from "vitest";
import { commandLine, resolveEnv, type EnvContext } from "./env.js";
import { kubernetesServiceEnv, serviceNatRuleset, SERVICE_ACCOUNT_MOUNT, withServiceAccountMount } from "./in-cluster.js";

describe("the kubelet's in-cluster configuration", () => {
  it("a pod with its own network dials the kubernetes Service address; a hostNetwork pod the API server on loopback", () => {
    expect(kubernetesServiceEnv(true, 36443)).toMatchObject({
      KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443", KUBERNETES_PORT: "tcp://10.96.0.1:443",
      KUBERNETES_PORT_443_TCP_ADDR: "10.96.0.1",
    });
    expect(kubernetesServiceEnv(false, 36443)).toMatchObject({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: "36443" });
  });

  it("the Service address is translated to the runner's API server address inside the pod's namespace", () => {
    const ruleset = serviceNatRuleset({ apiServerAddress: "10.250.7.1", apiServerPort: 36443 });
    expect(ruleset).toContain("type nat hook output");
    expect(ruleset).toContain("ip daddr 10.96.0.1 tcp dport 443 dnat to 10.250.7.1:36443");
  });

  it("the program runs in a mount namespace of its own with the ServiceAccount folder read-only at the standard path, pid kept (exec)", () => {
    const argv = withServiceAccountMount(["/usr/bin/controller", "--leader-elect"], "/state/pods/uid/serviceaccount");
    expect(argv.slice(0, 5)).toEqual(["unshare", "--mount", "--propagation", "private", "--"]);
    const script = argv[7]!;
    expect(script).toContain(`mount --bind "$0" ${SERVICE_ACCOUNT_MOUNT}`);
    expect(script).toContain("remount,bind,ro");
    expect(script).toMatch(/exec "\$@"$/);
    expect(argv.slice(8)).toEqual(["/state/pods/uid/serviceaccount", "/usr/bin/controller", "--leader-elect"]);
  });
});

describe("$(VAR) expansion from every variable the process gets", () => {
  const ctx = (env: EnvContext["container"]["env"], predefined?: Map<string, string>): EnvContext => ({
    pod: { metadata: { name: "p", namespace: "ns" } }, container: { name: "c", env }, podIp: "10.0.0.2", hostIp: "10.0.0.1",
    nodeAllocatable: {}, configMap: async () => undefined, secret: async () => undefined, ...(predefined ? { predefined } : {}),
  });

  it("env values may name the service variables", async () => {
    const env = await resolveEnv(ctx([{ name: "API", value: "https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)" }],
      new Map(Object.entries(kubernetesServiceEnv(true, 1)))));
    expect(env.get("API")).toBe("https://10.96.0.1:443");
  });

  it("command and args expand variables the runner adds (KUBECONFIG) as well as the container's", () => {
    const all = new Map([["KUBECONFIG", "/state/pods/uid/kubeconfig"], ["MODE", "fast"]]);
    expect(commandLine({ name: "c", command: ["/bin/ctl"], args: ["--kubeconfig=$(KUBECONFIG)", "--mode=$(MODE)", "$(UNSET)"] }, all))
      .toEqual(["/bin/ctl", "--kubeconfig=/state/pods/uid/kubeconfig", "--mode=fast", "$(UNSET)"]);
  });
});

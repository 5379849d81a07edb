import { describe, expect, it } from "vitest";
import { commandLine, ContainerConfigError, expand, parseQuantity, resolveEnv, type EnvContext } from "./env.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function context(container: EnvContext["container"]): EnvContext {
  return {
    pod: {
      metadata: { name: "op-1", namespace: "demo", uid: "u-1", labels: { app: "op" }, annotations: { team: "x" } },
      spec: { nodeName: "lab-process-node", serviceAccountName: "operator", containers: [container] },
    },
    container,
    podIp: "10.250.3.6",
    hostIp: "10.250.3.1",
    nodeAllocatable: { cpu: "32", memory: "256Gi" },
    configMap: async (name) => (name === "settings" ? { data: { LEVEL: "debug", "bad key": "x" }, binaryData: { BIN: b64("bytes") } } : undefined),
    secret: async (name) => (name === "creds" ? { data: { PASSWORD: b64("s3cret") } } : undefined),
  };
}

describe("resolveEnv", () => {
  it("resolves values, fieldRefs, ConfigMap and Secret keys, envFrom with prefix, in order", async () => {
    const env = await resolveEnv(context({
      name: "main",
      envFrom: [{ configMapRef: { name: "settings" }, prefix: "CFG_" }, { secretRef: { name: "creds" } }],
      env: [
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
        { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "settings", key: "LEVEL" } } },
        { name: "PW", valueFrom: { secretKeyRef: { name: "creds", key: "PASSWORD" } } },
        { name: "GREETING", value: "hello $(POD_NAME) in $(POD_NAMESPACE), $$(POD_NAME) $(UNSET)" },
        { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
        { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "requests.memory", divisor: "1Mi" } } },
      ],
      resources: { requests: { memory: "64Mi" } },
    }));
    expect(Object.fromEntries(env)).toEqual({
      CFG_LEVEL: "debug", CFG_BIN: "bytes", PASSWORD: "s3cret",
      POD_NAME: "op-1", POD_NAMESPACE: "demo", POD_IP: "10.250.3.6", APP: "op", SA: "operator",
      LEVEL: "debug", PW: "s3cret",
      GREETING: "hello op-1 in demo, $(POD_NAME) $(UNSET)",
      CPU: "32", MEM_MI: "64",
    });
  });

  it("fails like CreateContainerConfigError on a missing ConfigMap, Secret or key unless optional", async () => {
    await expect(resolveEnv(context({ env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "nope", key: "a" } } }] })))
      .rejects.toThrow(ContainerConfigError);
    await expect(resolveEnv(context({ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "creds", key: "missing" } } }] })))
      .rejects.toThrow(/couldn't find key missing/);
    await expect(resolveEnv(context({ envFrom: [{ secretRef: { name: "nope" } }] }))).rejects.toThrow(/secret "nope" not found/);
    const env = await resolveEnv(context({
      envFrom: [{ configMapRef: { name: "nope", optional: true } }],
      env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "nope", key: "a", optional: true } } }, { name: "Y", value: "y" }],
    }));
    expect(Object.fromEntries(env)).toEqual({ Y: "y" });
  });
});

describe("expand and commandLine", () => {
  it("follows the kubelet's expansion rules", () => {
    const env = new Map([["A", "1"], ["B", "two"]]);
    expect(expand("$(A)-$(B)", env)).toBe("1-two");
    expect(expand("$$(A)", env)).toBe("$(A)");
    expect(expand("$(C)", env)).toBe("$(C)");
    expect(expand("cost $5 and $", env)).toBe("cost $5 and $");
    expect(expand("$(A", env)).toBe("$(A");
  });

  it("joins command and args, expanding both, and refuses an empty command", () => {
    const env = new Map([["PORT", "8080"]]);
    expect(commandLine({ command: ["node", "server.mjs"], args: ["--port=$(PORT)"] }, env)).toEqual(["node", "server.mjs", "--port=8080"]);
    expect(commandLine({ args: ["sleep", "1"] }, env)).toEqual(["sleep", "1"]);
    expect(() => commandLine({ name: "main" }, env)).toThrow(/no command or args/);
  });

  it("parses quantities", () => {
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("1Gi")).toBe(2 ** 30);
    expect(parseQuantity("1k")).toBe(1000);
    expect(() => parseQuantity("lots")).toThrow(ContainerConfigError);
  });
});

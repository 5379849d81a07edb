/**
 * A container's environment as the kubelet builds it: `envFrom` (ConfigMaps/Secrets, with a
 * prefix), then `env` in order (`value` with $(VAR) expansion, `valueFrom` fieldRef,
 * resourceFieldRef, configMapKeyRef, secretKeyRef), and $(VAR) expansion of command and args.
 */

export interface EnvVarSource {
  fieldRef?: { fieldPath?: string };
  resourceFieldRef?: { resource?: string; divisor?: string | number; containerName?: string };
  configMapKeyRef?: { name?: string; key?: string; optional?: boolean };
  secretKeyRef?: { name?: string; key?: string; optional?: boolean };
}

export interface ContainerSpec {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: Array<{ name: string; value?: string; valueFrom?: EnvVarSource }>;
  envFrom?: Array<{ prefix?: string; configMapRef?: { name?: string; optional?: boolean }; secretRef?: { name?: string; optional?: boolean } }>;
  ports?: Array<{ name?: string; containerPort?: number; protocol?: string }>;
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  startupProbe?: unknown;
}

export interface PodForEnv {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { nodeName?: string; serviceAccountName?: string; containers?: ContainerSpec[] };
}

export interface EnvContext {
  pod: PodForEnv;
  container: ContainerSpec;
  podIp: string;
  hostIp: string;
  /** The node's allocatable resources: the default for limits the container does not set. */
  nodeAllocatable: Record<string, string>;
  /** ConfigMap `data` (and `binaryData`, base64), undefined when it does not exist. */
  configMap(name: string): Promise<{ data?: Record<string, string>; binaryData?: Record<string, string> } | undefined>;
  /** Secret `data` (base64), undefined when it does not exist. */
  secret(name: string): Promise<{ data?: Record<string, string>; stringData?: Record<string, string> } | undefined>;
  /** Variables the process gets anyway (the kubelet's service variables): $(VAR) in values may name them. */
  predefined?: ReadonlyMap<string, string>;
}

/** What the kubelet reports as CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export async function resolveEnv(ctx: EnvContext): Promise<Map<string, string>> {
  const env = new Map<string, string>();
  const cache = new Map<string, Promise<Record<string, string> | undefined>>();
  const configMapData = (name: string) => cached(cache, `cm/${name}`, async () => {
    const cm = await ctx.configMap(name);
    if (!cm) return undefined;
    const data: Record<string, string> = { ...(cm.data ?? {}) };
    for (const [key, value] of Object.entries(cm.binaryData ?? {})) data[key] = Buffer.from(value, "base64").toString("utf8");
    return data;
  });
  const secretData = (name: string) => cached(cache, `secret/${name}`, async () => {
    const secret = await ctx.secret(name);
    if (!secret) return undefined;
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = Buffer.from(value, "base64").toString("utf8");
    return { ...data, ...(secret.stringData ?? {}) };
  });

  for (const source of ctx.container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? "configmap" : "secret";
    if (!ref?.name) continue;
    const data = source.configMapRef ? await configMapData(ref.name) : await secretData(ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
    }
    for (const [key, value] of Object.entries(data)) {
      const name = `${source.prefix ?? ""}${key}`;
      if (ENV_NAME.test(name)) env.set(name, value); // the kubelet skips invalid names too
    }
  }

  for (const variable of ctx.container.env ?? []) {
    if (variable.valueFrom) {
      const value = await valueFrom(variable.name, variable.valueFrom, ctx, configMapData, secretData);
      if (value !== undefined) env.set(variable.name, value);
    } else {
      env.set(variable.name, expand(variable.value ?? "", ctx.predefined ? new Map([...ctx.predefined, ...env]) : env));
    }
  }
  return env;
}

function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

async function valueFrom(
  name: string,
  source: EnvVarSource,
  ctx: EnvContext,
  configMapData: (name: string) => Promise<Record<string, string> | undefined>,
  secretData: (name: string) => Promise<Record<string, string> | undefined>,
): Promise<string | undefined> {
  if (source.fieldRef) return fieldValue(source.fieldRef.fieldPath ?? "", ctx);
  if (source.resourceFieldRef) return resourceValue(source.resourceFieldRef, ctx);
  const keyRef = source.configMapKeyRef ?? source.secretKeyRef;
  if (keyRef) {
    const kind = source.configMapKeyRef ? "configmap" : "secret";
    const data = source.configMapKeyRef ? await configMapData(keyRef.name ?? "") : await secretData(keyRef.name ?? "");
    if (!data) {
      if (keyRef.optional) return undefined;
      throw new ContainerConfigError(`${kind} "${keyRef.name}" not found (env ${name})`);
    }
    const value = data[keyRef.key ?? ""];
    if (value === undefined) {
      if (keyRef.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${kind} ${ctx.pod.metadata?.namespace}/${keyRef.name} (env ${name})`);
    }
    return value;
  }
  return "";
}

export function fieldValue(path: string, ctx: EnvContext): string {
  const meta = ctx.pod.metadata ?? {};
  const mapKey = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (mapKey) return (mapKey[1] === "labels" ? meta.labels : meta.annotations)?.[mapKey[2] ?? ""] ?? "";
  switch (path) {
    case "metadata.name": return meta.name ?? "";
    case "metadata.namespace": return meta.namespace ?? "";
    case "metadata.uid": return meta.uid ?? "";
    case "metadata.labels": return formatMap(meta.labels);
    case "metadata.annotations": return formatMap(meta.annotations);
    case "spec.nodeName": return ctx.pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName": return ctx.pod.spec?.serviceAccountName ?? "default";
    case "status.podIP":
    case "status.podIPs": return ctx.podIp;
    case "status.hostIP":
    case "status.hostIPs": return ctx.hostIp;
    default: throw new ContainerConfigError(`unsupported fieldRef fieldPath "${path}"`);
  }
}

function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {}).sort().map((key) => `${key}="${(map ?? {})[key]}"`).join("\n");
}

function resourceValue(ref: NonNullable<EnvVarSource["resourceFieldRef"]>, ctx: EnvContext): string {
  const resource = ref.resource ?? "";
  const [kind, name] = resource.split(".", 2) as [string, string | undefined];
  if ((kind !== "limits" && kind !== "requests") || !name) throw new ContainerConfigError(`unsupported resourceFieldRef "${resource}"`);
  const container = ref.containerName
    ? ctx.pod.spec?.containers?.find((c) => c.name === ref.containerName) ?? ctx.container
    : ctx.container;
  const limit = container.resources?.limits?.[name];
  const request = container.resources?.requests?.[name];
  // Unset limits are the node's allocatable; unset requests default to the limit, else 0.
  const raw = kind === "limits" ? limit ?? ctx.nodeAllocatable[name] ?? "0" : request ?? limit ?? "0";
  const value = parseQuantity(String(raw));
  const divisor = parseQuantity(String(ref.divisor ?? "1"));
  if (divisor <= 0) throw new ContainerConfigError(`invalid divisor in resourceFieldRef "${resource}"`);
  return String(Math.ceil(value / divisor - 1e-9));
}

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A resource.Quantity as a number ("500m" → 0.5, "1Gi" → 1073741824). */
export function parseQuantity(text: string): number {
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(text.trim());
  const multiplier = match ? SUFFIXES[match[2] ?? ""] : undefined;
  if (!match || multiplier === undefined) throw new ContainerConfigError(`invalid quantity "${text}"`);
  return Number(match[1]) * multiplier;
}

/**
 * The kubelet's $(VAR) expansion: `$(NAME)` becomes the variable's value when it is defined and
 * stays as written otherwise; `$$` is an escaped `$`.
 */
export function expand(input: string, env: ReadonlyMap<string, string>): string {
  let out = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === "$") {
      out += "$";
    } else if (rest[0] === "(") {
      const close = rest.indexOf(")");
      if (close > 0) {
        const name = rest.slice(1, close);
        out += env.has(name) ? env.get(name) : `$(${name})`;
        advance = close + 1;
      } else {
        out += "$(";
      }
    } else {
      out += `$${rest[0]}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** command + args with $(VAR) expanded; the image's entrypoint does not exist here. */
export function commandLine(container: ContainerSpec, env: ReadonlyMap<string, string>): string[] {
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((part) => expand(part, env));
  if (argv.length === 0) {
    throw new ContainerConfigError(
      `container "${container.name}" has no command or args: the lab's process runner runs command+args as a local process (the image is ignored)`,
    );
  }
  return argv;
}

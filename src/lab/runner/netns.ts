import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { applyServiceNat } from "./in-cluster.js";

const run = promisify(execFile);

/**
 * The runner's network, one per lab: a /24 in 10.250.0.0/16 ("index" K = the third octet).
 * - 10.250.K.1/32 sits on an interface of its own ("anchor", `ocl<K>`): the API server's address
 *   for pods (it listens on 0.0.0.0) and the node's InternalIP / the pods' hostIP;
 * - pod slot s (1..63) has the /30 10.250.K.4s: host side .4s+1 on veth `oc<K>p<s>`, the pod's
 *   eth0 .4s+2 inside network namespace `oclab<K>-<s>`, default route via the host side.
 * IP forwarding stays as it is (off by default): pods reach the host's addresses, nothing else.
 * The anchor's alias is the lab folder, so the network can be found and released even when
 * network.json was never written.
 */
export interface RunnerNetwork {
  labDir: string;
  index: number;
  subnet: string;
  apiServerAddress: string;
  apiServerPort: number;
  anchor: string;
  anchorKind: "dummy" | "bridge";
  table: string;
  netnsPrefix: string;
}

export interface PodSandbox {
  slot: number;
  netns: string;
  hostInterface: string;
  /** The host side's address (the "node" as the pod sees it). */
  nodeIp: string;
  podIp: string;
}

export const MAX_SLOTS = 63;
const NETWORK_FILE = "network.json";

export const runnerDir = (labDir: string) => join(labDir, "runner");

export function networkNames(index: number): Pick<RunnerNetwork, "subnet" | "apiServerAddress" | "anchor" | "table" | "netnsPrefix"> {
  return {
    subnet: `10.250.${index}.0/24`,
    apiServerAddress: `10.250.${index}.1`,
    anchor: `ocl${index}`,
    table: `oc_lab_${index}`,
    netnsPrefix: `oclab${index}-`,
  };
}

export function sandboxNames(network: Pick<RunnerNetwork, "index">, slot: number): PodSandbox {
  if (!Number.isInteger(slot) || slot < 1 || slot > MAX_SLOTS) throw new Error(`pod slot ${slot} is out of range 1..${MAX_SLOTS}`);
  const base = slot * 4;
  return {
    slot,
    netns: `oclab${network.index}-${slot}`,
    hostInterface: `oc${network.index}p${slot}`,
    nodeIp: `10.250.${network.index}.${base + 1}`,
    podIp: `10.250.${network.index}.${base + 2}`,
  };
}

export async function ip(args: string[]): Promise<string> {
  try {
    const { stdout } = await run("ip", args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
    throw new Error(`ip ${args.join(" ")}: ${detail}`);
  }
}

async function ipQuiet(args: string[]): Promise<void> {
  try {
    await ip(args);
  } catch {
    // Already gone.
  }
}

interface IpLink { ifname: string; ifalias?: string }
interface IpAddr { ifname: string; addr_info?: Array<{ family: string; local: string }> }
interface IpRoute { dst?: string }

async function links(): Promise<IpLink[]> {
  return JSON.parse(await ip(["-j", "link", "show"])) as IpLink[];
}

/** Whether 10.250.K.0/24 is free: no address or route of the machine in it, no interface of ours. */
async function subnetIsFree(index: number): Promise<boolean> {
  const prefix = `10.250.${index}.`;
  const addrs = JSON.parse(await ip(["-j", "-4", "addr", "show"])) as IpAddr[];
  if (addrs.some((a) => a.addr_info?.some((i) => i.local.startsWith(prefix)))) return false;
  const routes = JSON.parse(await ip(["-j", "-4", "route", "show", "table", "all"])) as IpRoute[];
  for (const route of routes) {
    const dst = route.dst ?? "";
    if (dst.startsWith(prefix)) return false;
    // A wider route covering the /24 (e.g. 10.250.0.0/16) belongs to someone else.
    const [net, bits] = dst.split("/");
    if (net && bits && Number(bits) < 24 && Number(bits) > 0 && covers(net, Number(bits), `${prefix}0`)) return false;
  }
  return true;
}

function covers(network: string, bits: number, address: string): boolean {
  const toInt = (a: string) => a.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((toInt(network) & mask) >>> 0) === ((toInt(address) & mask) >>> 0);
}

export async function readNetwork(labDir: string): Promise<RunnerNetwork | undefined> {
  try {
    return JSON.parse(await readFile(join(runnerDir(labDir), NETWORK_FILE), "utf8")) as RunnerNetwork;
  } catch {
    return undefined;
  }
}

async function writeNetwork(network: RunnerNetwork): Promise<void> {
  const dir = runnerDir(network.labDir);
  await mkdir(dir, { recursive: true });
  const file = join(dir, NETWORK_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(network, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/**
 * The lab's network: reuses the one recorded (a restarted runner), else claims a free /24.
 * Creating the anchor interface is the claim: it fails when another lab holds that index.
 */
export async function claimNetwork(
  labDir: string,
  apiServerPort: number,
  deleteTable: (table: string) => Promise<void>,
): Promise<RunnerNetwork> {
  const recorded = await readNetwork(labDir);
  if (recorded) {
    const anchor = (await links()).find((l) => l.ifname === recorded.anchor);
    if (anchor && anchor.ifalias === labDir) return { ...recorded, apiServerPort };
  }
  // Leftovers of an earlier lab in the same folder (its state was removed without releasing them).
  await releaseNetwork(labDir, deleteTable);
  const start = Number.parseInt(createHash("sha256").update(labDir).digest("hex").slice(0, 4), 16) % 256;
  for (let i = 0; i < 256; i++) {
    const index = (start + i) % 256;
    const names = networkNames(index);
    if (!(await subnetIsFree(index))) continue;
    let kind: RunnerNetwork["anchorKind"] | undefined;
    for (const candidate of ["dummy", "bridge"] as const) {
      try {
        await ip(["link", "add", names.anchor, "type", candidate]);
        kind = candidate;
        break;
      } catch (error) {
        if (/exists/i.test((error as Error).message)) break; // another lab holds it
        // "Unknown device type": this kernel has no dummy interfaces; a bridge with no ports does the same.
      }
    }
    if (!kind) continue;
    const network: RunnerNetwork = { labDir, index, ...names, apiServerPort, anchorKind: kind };
    try {
      await ip(["link", "set", names.anchor, "alias", labDir]);
      await ip(["addr", "add", `${names.apiServerAddress}/32`, "dev", names.anchor]);
      await ip(["link", "set", names.anchor, "up"]);
      await writeNetwork(network);
    } catch (error) {
      await ipQuiet(["link", "del", names.anchor]);
      throw error;
    }
    return network;
  }
  throw new Error("no free /24 in 10.250.0.0/16 for the lab's process runner");
}

/** Creates the pod's network namespace and veth pair (removing leftovers of the same slot first). */
export async function createSandbox(network: RunnerNetwork, slot: number): Promise<PodSandbox> {
  const sandbox = sandboxNames(network, slot);
  await deleteSandbox(network, slot);
  const peer = `oc${network.index}c${slot}`;
  await ip(["netns", "add", sandbox.netns]);
  try {
    await ip(["link", "add", sandbox.hostInterface, "type", "veth", "peer", "name", peer, "netns", sandbox.netns]);
    await ip(["addr", "add", `${sandbox.nodeIp}/30`, "dev", sandbox.hostInterface]);
    await ip(["link", "set", sandbox.hostInterface, "up"]);
    await ip(["-n", sandbox.netns, "link", "set", peer, "name", "eth0"]);
    await ip(["-n", sandbox.netns, "addr", "add", `${sandbox.podIp}/30`, "dev", "eth0"]);
    await ip(["-n", sandbox.netns, "link", "set", "eth0", "up"]);
    await ip(["-n", sandbox.netns, "link", "set", "lo", "up"]);
    await ip(["-n", sandbox.netns, "route", "add", "default", "via", sandbox.nodeIp]);
    // The `kubernetes` Service address, as kube-proxy would route it (InClusterConfig dials it).
    await applyServiceNat(sandbox.netns, network);
  } catch (error) {
    await deleteSandbox(network, slot);
    throw error;
  }
  return sandbox;
}

/** Removes the pod's veth pair and namespace. Idempotent. */
export async function deleteSandbox(network: Pick<RunnerNetwork, "index">, slot: number): Promise<void> {
  const sandbox = sandboxNames(network, slot);
  // The veth first: a deleted namespace releases its devices asynchronously, and the slot may be
  // reused right away.
  await ipQuiet(["link", "del", sandbox.hostInterface]);
  await ipQuiet(["netns", "del", sandbox.netns]);
}

export async function sandboxExists(network: Pick<RunnerNetwork, "index">, slot: number): Promise<boolean> {
  const sandbox = sandboxNames(network, slot);
  return (await listNetns()).includes(sandbox.netns);
}

async function listNetns(): Promise<string[]> {
  const out = await ip(["-j", "netns", "list"]).catch(() => "");
  if (!out.trim()) return [];
  return (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name);
}

/** Slots whose namespaces exist on the machine for this lab's index. */
export async function existingSlots(network: Pick<RunnerNetwork, "index">): Promise<number[]> {
  const prefix = `oclab${network.index}-`;
  return (await listNetns())
    .filter((name) => name.startsWith(prefix))
    .map((name) => Number(name.slice(prefix.length)))
    .filter((slot) => Number.isInteger(slot) && slot >= 1 && slot <= MAX_SLOTS);
}

/**
 * Releases everything the lab's runner created outside its folder: pod namespaces and veths,
 * the nftables table, the anchor interface. Works from network.json or, without it, from the
 * anchor's alias. Never touches an index whose anchor belongs to another lab.
 */
export async function releaseNetwork(labDir: string, deleteTable: (table: string) => Promise<void>): Promise<void> {
  const indexes = new Set<number>();
  const recorded = await readNetwork(labDir);
  if (recorded) indexes.add(recorded.index);
  let all: IpLink[] = [];
  try {
    all = await links();
  } catch {
    return; // no iproute2: the runner could never have created anything
  }
  for (const link of all) {
    const match = /^ocl(\d+)$/.exec(link.ifname);
    if (match && link.ifalias === labDir) indexes.add(Number(match[1]));
  }
  for (const index of indexes) {
    const names = networkNames(index);
    const anchor = all.find((l) => l.ifname === names.anchor);
    if (anchor && anchor.ifalias !== labDir) continue; // claimed by another lab since
    await deleteTable(names.table).catch(() => {});
    for (const slot of await existingSlots({ index })) await deleteSandbox({ index }, slot);
    for (const link of all) {
      if (new RegExp(`^oc${index}p\\d+$`).test(link.ifname)) await ipQuiet(["link", "del", link.ifname]);
    }
    if (anchor) await ipQuiet(["link", "del", names.anchor]);
  }
}

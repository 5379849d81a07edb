/**
 * One network probe, run by the process runner inside a pod's network namespace
 * (`ip netns exec NS node probe-client.js '<NetworkCheck JSON>'`) when the probe targets the pod's
 * own loopback. Exit code 0 = success; the message goes to stdout.
 */
import { runNetworkCheck, type NetworkCheck } from "./probes.js";

const check = JSON.parse(process.argv[2] ?? "{}") as NetworkCheck;
const result = await runNetworkCheck(check);
process.stdout.write(`${result.message}\n`);
process.exit(result.ok ? 0 : 1);

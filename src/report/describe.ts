// One human sentence per timeline event, for the Markdown and HTML reports. Works on events read back
// from report files, so every field is checked rather than trusted.

import type { ReportTimelineEvent } from "./model.js";

export function describeEvent(event: ReportTimelineEvent): string {
  const text = (key: string) => (typeof event[key] === "string" ? (event[key] as string) : "");
  const number = (key: string) => (typeof event[key] === "number" ? (event[key] as number) : undefined);
  const list = (key: string) => (Array.isArray(event[key]) ? (event[key] as unknown[]).map(String) : []);
  switch (event.type) {
    case "phase":
      return `phase ${text("phase")}`;
    case "injectionStarted": {
      const targets = list("targets");
      return `injected ${text("faultType")}${targets.length > 0 ? ` into ${targets.join(", ")}` : ""}`;
    }
    case "injectionConfirmed":
      return `fault confirmed${text("detail") ? `: ${text("detail")}` : ""}`;
    case "injectionUnconfirmed":
      return `fault NOT confirmed: ${text("reason")}`;
    case "checkTransition":
      return `check ${text("checkId")} ${event.passed === true ? "passes" : "fails"}${text("detail") ? `: ${text("detail")}` : ""}`;
    case "steadyStateHolds":
      return "steady state holds";
    case "steadyStateLost": {
      const failing = list("failingChecks");
      return `steady state lost${failing.length > 0 ? ` (failing: ${failing.join(", ")})` : ""}`;
    }
    case "podRestarted":
      return `pod ${text("pod")}${text("container") ? `/${text("container")}` : ""} restarted (restartCount ${number("restartCount") ?? "?"})`;
    case "podReplaced":
      return `pod ${text("pod")} replaced ${text("previousPod") || "a pod"}${event.causedByFault === true ? " (deleted by the fault)" : ""}`;
    case "faultReverted":
      return `fault reverted${text("detail") ? `: ${text("detail")}` : ""}`;
    case "recoveryDetected":
      return "recovery detected";
    case "watchGap":
      return `WATCH GAP on ${text("watch")}: ${text("reason")}`;
    case "watchOutage":
      return `WATCH OUTAGE on ${text("watch")} ${number("until") === undefined ? "until the end of observation" : `for ${(number("until")! - event.at)} ms`}: ${text("reason")}`;
    case "toolError":
      return `TOOL ERROR during ${text("operation")}: ${text("message")}`;
    case "preCheck":
    case "postCheck": {
      const result = event.result as { passed?: unknown; checksPassed?: unknown; checksRun?: unknown } | undefined;
      const verdict = result?.passed === true ? "passed" : "failed";
      return `${event.type === "preCheck" ? "pre-check" : "post-check"} ${verdict} (${String(result?.checksPassed ?? "?")}/${String(result?.checksRun ?? "?")})`;
    }
    case "managedResource": {
      const resource = event.resource as { kind?: unknown; name?: unknown; namespace?: unknown } | undefined;
      const name = [resource?.kind, resource?.namespace, resource?.name].filter((part) => typeof part === "string" && part).join("/");
      return `managed resource ${name} ${text("status")}${text("detail") ? `: ${text("detail")}` : ""}`;
    }
    case "reconcileCycles":
      return `${number("count") ?? "?"} reconcile cycles so far`;
    case "collateral":
      return `dependent ${text("operator")}/${text("component")} ${event.passed === true ? "healthy" : "degraded"}`;
    default:
      return event.type;
  }
}

// `preflight --knowledge` on a cluster: every managed resource of every model is read once and is
// Found, Missing, Degraded (a Deployment not Available, or the object differs from the model: labels,
// owner, expected spec) or Error (could not be read, with the reason); every webhook the model names
// is looked up in the webhook configurations; finalizers are listed (they sit on custom resources
// the operator handles at run time); and, given experiments, whether these credentials may do
// everything each run needs (the engine's own permission preflight).

import type { ChaosExperiment } from "../experiment/types.js";
import type { OperatorKnowledge } from "../experiment/knowledge.js";
import type { ClusterAccess } from "../engine/context.js";
import { preflight as permissionPreflight } from "../engine/preflight.js";
import { resolveNamespace } from "../engine/settings.js";
import { findRunnableFault } from "../faults/registry.js";
import { isNotFound } from "../kube/rest.js";
import { evaluateManagedResource } from "../observe/managed.js";
import { CheckStatus, CheckSubject, type PreflightRow } from "./knowledge.js";

interface DeploymentStatus {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export async function checkModels(access: ClusterAccess, models: readonly OperatorKnowledge[], namespaceOverride?: string, signal?: AbortSignal): Promise<PreflightRow[]> {
  const rows: PreflightRow[] = [];
  for (const model of models) {
    for (const component of model.components) {
      const base = { operator: model.operator.name, component: component.name };
      const resourceRows = await Promise.all(component.managedResources.map(async (resource): Promise<PreflightRow> => {
        const row = { ...base, subject: CheckSubject.Resource, kind: resource.kind, name: resource.name };
        let path: string;
        let namespace: string | undefined;
        try {
          const info = await access.discovery.resolve(resource.apiVersion, resource.kind);
          namespace = info.namespaced ? namespaceOverride || resource.namespace || model.operator.namespace : undefined;
          path = await access.discovery.objectPath(resource.apiVersion, resource.kind, resource.name, namespace);
        } catch (error) {
          return { ...row, status: CheckStatus.Error, reason: (error as Error).message };
        }
        const at = namespace ? { namespace } : {};
        let object: Record<string, unknown>;
        try {
          object = await access.rest.get<Record<string, unknown>>(path, signal ? { signal } : {});
        } catch (error) {
          if (isNotFound(error)) return { ...row, ...at, status: CheckStatus.Missing, reason: "not found" };
          return { ...row, ...at, status: CheckStatus.Error, reason: (error as Error).message };
        }
        if (resource.kind === "Deployment" && resource.apiVersion === "apps/v1") {
          const available = (object as DeploymentStatus).status?.conditions?.find((c) => c.type === "Available");
          if (available?.status !== "True") {
            const reason = available ? `Available=${available.status}${available.message ? `: ${available.message}` : ""}` : "no Available condition yet";
            return { ...row, ...at, status: CheckStatus.Degraded, reason };
          }
        }
        const evaluation = evaluateManagedResource({ ...resource, ...at }, object);
        if (evaluation.status !== "ok") return { ...row, ...at, status: CheckStatus.Degraded, reason: evaluation.detail };
        return { ...row, ...at, status: CheckStatus.Found };
      }));
      rows.push(...resourceRows);
      for (const webhook of component.webhooks ?? []) {
        rows.push({ ...base, subject: CheckSubject.Webhook, kind: webhook.type, name: webhook.name, ...(await findWebhook(access, webhook.type, webhook.name)) });
      }
      for (const finalizer of component.finalizers ?? []) {
        rows.push({ ...base, subject: CheckSubject.Finalizer, kind: component.controller, name: finalizer, status: CheckStatus.Listed, reason: `set on ${component.controller} objects by the operator` });
      }
    }
  }
  return rows;
}

async function findWebhook(access: ClusterAccess, type: string, name: string): Promise<{ status: CheckStatus; reason?: string }> {
  const kind = type === "mutating" ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations";
  try {
    const list = await access.rest.get<{ items?: { metadata: { name: string }; webhooks?: { name: string }[] }[] }>(`/apis/admissionregistration.k8s.io/v1/${kind}`);
    const holder = (list.items ?? []).find((configuration) => configuration.metadata.name === name || (configuration.webhooks ?? []).some((w) => w.name === name));
    return holder ? { status: CheckStatus.Found, reason: `in ${kind.replace(/s$/, "")} ${holder.metadata.name}` } : { status: CheckStatus.Missing, reason: `no ${type} webhook configuration serves it` };
  } catch (error) {
    return { status: CheckStatus.Error, reason: (error as Error).message };
  }
}

/** For each experiment: may these credentials do everything its run needs? */
export async function checkPermissions(access: ClusterAccess, experiments: readonly ChaosExperiment[], lockNamespace?: string): Promise<PreflightRow[]> {
  return Promise.all(experiments.map(async (experiment): Promise<PreflightRow> => {
    const row = {
      subject: CheckSubject.Permission, operator: experiment.spec.target.operator, component: experiment.spec.target.component,
      kind: experiment.spec.injection.type, name: experiment.metadata.name,
    };
    const fault = findRunnableFault(experiment.spec.injection.type);
    if (!fault) return { ...row, status: CheckStatus.Error, reason: `${experiment.spec.injection.type} cannot be run by this version` };
    const namespace = resolveNamespace(experiment);
    try {
      await permissionPreflight(access, fault, experiment, namespace, lockNamespace ?? namespace, false);
      return { ...row, namespace, status: CheckStatus.Allowed };
    } catch (error) {
      return { ...row, namespace, status: CheckStatus.Denied, reason: (error as Error).message };
    }
  }));
}

// Which reconcile probe a run uses (pure): the experiment's spec.probe, else one the knowledge model
// allows, else none. `--no-probe` turns it off.
import type { ChaosExperiment } from "../experiment/types.js";
import type { ManagedResourceSpec } from "../observe/managed.js";
import { probeFromExperiment, probeFromKnowledge, type ProbeField, type ProbeSpec } from "./probe.js";

export function selectProbe(
  experiment: ChaosExperiment,
  managed: readonly ManagedResourceSpec[] | undefined,
  options: { enabled: boolean; namespace: string },
): ProbeSpec | undefined {
  if (!options.enabled) return undefined;
  const field = (experiment.spec as { probe?: ProbeField }).probe;
  if (field) return probeFromExperiment({ ...field, ...(field.namespace ? {} : { namespace: options.namespace }) });
  const { component, resource } = experiment.spec.target;
  return managed ? probeFromKnowledge(managed, { component, exclude: resource ? [resource] : [] }) : undefined;
}

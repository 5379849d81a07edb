// The single definition of the ChaosExperiment format (chaos.operatorchaos.io/v1alpha1). From it come
// the TypeScript types (types.ts), the structural half of the validator (validate.ts), the JSON Schema
// for editors and the CRD (generate.ts). Field names, enums, limits and defaults follow the Go tool.
//
// Defaults are recorded as metadata (they show in the JSON Schema and the CRD) but are not filled in
// when loading: a loaded experiment is exactly what the file says, so it round-trips unchanged. Use the
// resolve* helpers in types.ts for effective values.

import { z } from "zod";
import { Duration, GO_DURATION_PATTERN } from "./duration.js";
import {
  API_VERSION,
  CheckType,
  ConditionStatus,
  DangerLevel,
  EXPERIMENT_KIND,
  ExperimentPhase,
  InjectionType,
  KUBERNETES_NAME_PATTERN,
  Limits,
  Verdict,
} from "./enums.js";

/** A duration string in Go syntax; the message comes from the parser so it says exactly what is wrong. */
export function goDuration(description: string) {
  return z
    .string()
    .superRefine((value, context) => {
      const parsed = Duration.tryParse(value);
      if (!parsed.ok) {
        context.addIssue({
          code: "custom",
          message: `invalid duration: ${parsed.error}`,
          params: { rule: "duration.syntax", expected: "a Go duration such as 300s, 1m30s or 500ms" },
        });
      }
    })
    .meta({ description, pattern: GO_DURATION_PATTERN });
}

function kubernetesName(description: string) {
  return z
    .string()
    .min(1)
    .max(Limits.maxNameLength)
    .regex(new RegExp(KUBERNETES_NAME_PATTERN), {
      error: "must be a lowercase RFC 1123 name (letters, digits, '-' and '.', starting and ending with a letter or digit)",
    })
    .describe(description);
}

const stringMap = (description: string) => z.record(z.string(), z.string()).describe(description);
const timestamp = (description: string) => z.string().meta({ description, format: "date-time" });

export const SteadyStateCheckSchema = z
  .strictObject({
    type: z.enum(CheckType).describe(
      "What to check: conditionTrue (a status condition is True), resourceExists (the object exists), fieldEquals (a field has a value).",
    ),
    apiVersion: z.string().optional().describe("apiVersion of the checked object, e.g. apps/v1."),
    kind: z.string().optional().describe("Kind of the checked object, e.g. Deployment."),
    name: z.string().optional().describe("Name of the checked object."),
    namespace: z.string().optional().describe("Namespace of the checked object; defaults to the experiment's namespace."),
    conditionType: z.string().optional().describe("conditionTrue: the condition type that must be True, e.g. Available."),
    fieldPath: z.string().optional().describe("fieldEquals: dot path of the field, e.g. status.phase."),
    expectedValue: z.string().optional().describe("fieldEquals: the value the field must have, compared as text."),
  })
  .describe("One steady-state check, evaluated before the fault and during recovery.");

export const SteadyStateSchema = z
  .strictObject({
    checks: z.array(SteadyStateCheckSchema).optional().meta({
      description: "All checks must pass for the system to be in its steady state.",
      "x-kubernetes-list-type": "atomic",
    }),
    timeout: goDuration("How long one evaluation of the checks may take.").optional(),
  })
  .describe("What 'healthy' means for the target.");

export const TargetSchema = z
  .strictObject({
    operator: kubernetesName("The operator under test (also the key of its lock and knowledge model)."),
    component: kubernetesName("The component of the operator that the experiment targets."),
    resource: z
      .string()
      .optional()
      .describe("Kind/name of the object this experiment is about; compared with blastRadius.forbiddenResources."),
  })
  .describe("What is being tested.");

export const InjectionSchema = z
  .strictObject({
    type: z.enum(InjectionType).describe("The fault to inject (see `operator-chaos types`)."),
    parameters: stringMap("Fault-specific parameters; every value is a string (quote numbers and booleans).").optional(),
    count: z
      .int32()
      .min(Limits.minCount)
      .max(Limits.maxCount)
      .optional()
      .meta({ description: "How many targets to hit (PodKill: pods to kill).", default: Limits.defaultCount }),
    ttl: goDuration("Longest time the fault may stay in place before it is reverted automatically (at most 1h).").optional(),
    hold: goDuration(
      "Sustained faults: how long the fault is held before the tool reverts it (default: the recoveryTimeout, never past the ttl; --hold overrides). Not read by the Go tool.",
    ).optional(),
    dangerLevel: z
      .enum(DangerLevel)
      .optional()
      .describe("Declared danger: low, medium or high. high also needs blastRadius.allowDangerous: true."),
  })
  .describe("The fault.");

export const BlastRadiusSchema = z
  .strictObject({
    maxPodsAffected: z.int32().min(1).describe("Upper bound on what the fault may touch; must be at least injection.count."),
    allowedNamespaces: z.array(z.string()).optional().meta({
      description: "Namespaces the fault may act in. Required for namespaced faults; must be empty for cluster-scoped ones.",
      "x-kubernetes-list-type": "set",
    }),
    forbiddenResources: z.array(z.string()).optional().meta({
      description: "Kind/name entries that must never be targeted.",
      "x-kubernetes-list-type": "set",
    }),
    allowDangerous: z.boolean().optional().describe("Must be true to run a fault with dangerLevel: high."),
    dryRun: z.boolean().optional().describe("Validate and plan only: nothing is injected, the verdict is Inconclusive."),
  })
  .describe("Limits on what the experiment may affect.");

export const HypothesisSchema = z
  .strictObject({
    description: z.string().min(1).describe("What you expect to happen, in words."),
    recoveryTimeout: goDuration("How long the operator has to recover (default 60s, at most 1h).")
      .optional()
      .meta({ default: Limits.defaultRecoveryTimeout }),
  })
  .describe("The expected behaviour.");

export const ProbeSchema = z
  .strictObject({
    apiVersion: z.string().min(1).describe("apiVersion of the probed object, e.g. apps/v1."),
    kind: z.string().min(1).describe("Kind of the probed object."),
    name: z.string().min(1).describe("Name of the probed object."),
    namespace: z.string().optional().describe("Namespace of the probed object; defaults to the experiment's namespace."),
    label: z.string().optional().describe("Change this label (to `value`, default operator-chaos-probe); the repair is the label's original value back."),
    fieldPath: z.string().optional().describe("Or change this field, e.g. spec.replicas, to `value`; the repair is the field's original value back."),
    value: z.string().optional().describe("The value the probe writes (a string; for fieldPath it is written as given)."),
    delete: z.boolean().optional().describe("Or delete the object; the repair is the object existing again."),
  })
  .superRefine((probe, context) => {
    const changes = [probe.label !== undefined, probe.fieldPath !== undefined, probe.delete === true].filter(Boolean).length;
    if (changes !== 1) {
      context.addIssue({
        code: "custom",
        message: changes === 0 ? "the probe names no change" : "the probe names more than one change",
        params: { rule: "probe.change", expected: "exactly one of label, fieldPath or delete: true" },
      });
    }
  })
  .describe(
    "The reconcile probe (ours, not read by the Go tool): a small change the operator must undo, sent while a sustained fault is held and after the revert (or after an instantaneous fault's recovery). Without it, a knowledge model's managed resources are used.",
  );

export const ChaosExperimentSpecSchema = z
  .strictObject({
    target: TargetSchema,
    steadyState: SteadyStateSchema.optional(),
    injection: InjectionSchema,
    blastRadius: BlastRadiusSchema,
    hypothesis: HypothesisSchema,
    probe: ProbeSchema.optional(),
    tier: z
      .int32()
      .min(Limits.minTier)
      .max(Limits.maxTier)
      .optional()
      .meta({
        description: "Risk tier 1..6: 1 basic recovery, 2 config/network, 3 resource mutation, 4 cluster-wide, 5 destructive, 6 multi-fault.",
        default: Limits.defaultTier,
      }),
  })
  .describe("The experiment.");

const OwnerReferenceSchema = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

const ManagedFieldsEntrySchema = z.strictObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
  apiVersion: z.string().optional(),
  time: z.string().optional(),
  fieldsType: z.string().optional(),
  fieldsV1: z.record(z.string(), z.unknown()).optional(),
  subresource: z.string().optional(),
});

/** Kubernetes ObjectMeta: every field it has is accepted (as by the Go tool); only `name` is required. */
export const ObjectMetaSchema = z
  .strictObject({
    name: z.string().min(1).describe("Name of the experiment."),
    generateName: z.string().optional(),
    namespace: z.string().optional().describe("Namespace of the experiment; a fallback for the target namespace."),
    labels: stringMap("Labels.").optional(),
    annotations: stringMap("Annotations.").optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.int().optional(),
    selfLink: z.string().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    deletionGracePeriodSeconds: z.int().optional(),
    ownerReferences: z.array(OwnerReferenceSchema).optional(),
    finalizers: z.array(z.string()).optional(),
    managedFields: z.array(ManagedFieldsEntrySchema).optional(),
  })
  .describe("Standard Kubernetes object metadata.");

const CheckResultSchema = z.strictObject({
  passed: z.boolean().optional(),
  checksRun: z.int32().optional(),
  checksPassed: z.int32().optional(),
  details: z
    .array(
      z.strictObject({
        check: SteadyStateCheckSchema.optional(),
        passed: z.boolean().optional(),
        value: z.string().optional(),
        error: z.string().optional(),
      }),
    )
    .optional(),
  timestamp: timestamp("When the checks ran.").optional(),
});

const InjectionEventSchema = z.strictObject({
  timestamp: timestamp("When it happened.").optional(),
  type: z.string().optional(),
  target: z.string().optional(),
  action: z.string().optional(),
  details: stringMap("Details of the action.").optional(),
});

const ConditionSchema = z.strictObject({
  type: z.string(),
  status: z.enum(ConditionStatus),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: timestamp("When the status last changed."),
  reason: z.string(),
  message: z.string(),
});

/** Written by the controller; accepted in files (as by the Go tool) so `kubectl get -o yaml` output loads. */
export const ChaosExperimentStatusSchema = z
  .strictObject({
    phase: z.enum(ExperimentPhase).optional(),
    verdict: z.enum(Verdict).optional(),
    observedGeneration: z.int().min(0).optional(),
    message: z.string().optional(),
    startTime: timestamp("When the experiment started.").optional(),
    endTime: timestamp("When the experiment ended.").optional(),
    injectionStartedAt: timestamp("When the fault was injected.").optional(),
    steadyStatePre: CheckResultSchema.optional(),
    steadyStatePost: CheckResultSchema.optional(),
    injectionLog: z.array(InjectionEventSchema).optional().meta({ "x-kubernetes-list-type": "atomic" }),
    evaluationResult: z
      .strictObject({
        verdict: z.enum(Verdict),
        confidence: z.string().optional(),
        recoveryTime: z.string().optional(),
        reconcileCycles: z.int().optional(),
        deviations: z.array(z.string()).optional(),
      })
      .optional(),
    cleanupError: z.string().optional(),
    conditions: z.array(ConditionSchema).optional().meta({
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["type"],
    }),
  })
  .describe("Progress and result, maintained by the controller.");

export const ChaosExperimentSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION).describe(`Always ${API_VERSION}.`),
    kind: z.literal(EXPERIMENT_KIND).describe(`Always ${EXPERIMENT_KIND}.`),
    metadata: ObjectMetaSchema,
    spec: ChaosExperimentSpecSchema,
    status: ChaosExperimentStatusSchema.optional(),
  })
  .meta({
    title: "ChaosExperiment",
    description: "An operator-chaos experiment: break one thing an operator manages and check that it puts everything back.",
  });

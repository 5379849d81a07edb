// The demo operator's break switches: environment variables of its Deployment, all "false" as
// shipped. Each one breaks exactly one resilience behaviour, the one a seed experiment tests, so
// each experiment can be shown to tell the resilient operator from a broken one.
// Shared by the operator, the deploy module, the demo and the tests; no imports on purpose.

export const SWITCHES = {
  /** ConfigDrift: the operator notices the drifted serving config but leaves it drifted. */
  disableDriftRepair: "LLAMASTACK_DISABLE_DRIFT_REPAIR",
  /** RBACRevoke: the process exits on the first 403 (and on every 403 after each restart): a crash loop. */
  exitOnForbidden: "LLAMASTACK_EXIT_ON_FORBIDDEN",
  /** NetworkPartition: once a watch is lost to a connection failure, reconciling stops for good and /readyz answers 503. */
  giveUpOnLostWatch: "LLAMASTACK_GIVE_UP_ON_LOST_WATCH",
  /** PodKill: a new process never takes over a Lease whose (dead) holder let it expire: it waits, unready, forever. */
  noLeaderRecovery: "LLAMASTACK_NO_LEADER_RECOVERY",
  /** NamespaceDeletion: the workspace namespace it manages is never recreated once deleted (nor its contents). */
  noNamespaceRecreate: "LLAMASTACK_NO_NAMESPACE_RECREATE",
  /** DeploymentScaleZero: the replicas of a distribution's Deployment are never restored; whatever is there is adopted. */
  ignoreReplicaDrift: "LLAMASTACK_IGNORE_REPLICA_DRIFT",
  /** CrashLoopInject: a changed command of a distribution's server container is never put back. */
  ignoreCommandDrift: "LLAMASTACK_IGNORE_COMMAND_DRIFT",
  /** ImageCorrupt: a changed image of a distribution's server container is never put back. */
  ignoreImageDrift: "LLAMASTACK_IGNORE_IMAGE_DRIFT",
  /** LeaderElectionDisrupt: once its Lease is deleted the leader keeps leading without one and never recreates it (a second replica would lead too). */
  ignoreLostLease: "LLAMASTACK_IGNORE_LOST_LEASE",
  /** LabelStomping: the labels of a distribution's Deployment are never put back; whatever is there is adopted. */
  ignoreLabelDrift: "LLAMASTACK_IGNORE_LABEL_DRIFT",
  /** OwnerRefOrphan: an orphaned Deployment of a distribution is never adopted again. */
  noReadoption: "LLAMASTACK_NO_READOPTION",
  /** ResourceDeletion: a distribution's Service is created once; deleted, it is never recreated. */
  noServiceRecreate: "LLAMASTACK_NO_SERVICE_RECREATE",
  /** SecretDeletion: a deleted API-key Secret is recreated with a new random value, breaking whoever holds the old one. */
  regenerateSecret: "LLAMASTACK_REGENERATE_SECRET",
  /** CRDMutation: the rollout settings of a distribution's Deployment (revisionHistoryLimit) are never put back. */
  ignoreRolloutSettings: "LLAMASTACK_IGNORE_ROLLOUT_SETTINGS",
  /** FinalizerBlock: a distribution's Deployment seen being deleted is never recreated once the deletion finishes. */
  forgetDeletedDeployment: "LLAMASTACK_FORGET_DELETED_DEPLOYMENT",
  /** WebhookDisrupt: its ValidatingWebhookConfiguration is set up at start and never repaired (failurePolicy, rules, caBundle). */
  noWebhookRepair: "LLAMASTACK_NO_WEBHOOK_REPAIR",
  /** ClientFault: the first 409 Conflict or 429 of any request makes it give up instead of retrying: no more reconciling, /readyz 503. */
  giveUpOnConflict: "LLAMASTACK_GIVE_UP_ON_CONFLICT",
  /** QuotaExhaustion: a create refused for exceeded quota (403) is taken as final: it gives up: no more reconciling, /readyz 503. */
  giveUpOnQuota: "LLAMASTACK_GIVE_UP_ON_QUOTA",
  /** PDBBlock: a budget that blocks evicting its own pod is "worked around": it deletes its pod itself (its replacement does the same). */
  ignoreDisruptionBudget: "LLAMASTACK_IGNORE_DISRUPTION_BUDGET",
  /** WebhookLatency: leader election tuned for a fast API server: 500 ms Lease request deadline, and a lost lead is final: no more reconciling, /readyz 503. */
  shortLeaseTimeout: "LLAMASTACK_SHORT_LEASE_TIMEOUT",
  /** Reconciler fuzzing: a Service name already taken by an object it does not own is deleted and taken over. */
  deleteOnNameClash: "LLAMASTACK_DELETE_ON_NAME_CLASH",
  /** Reconcile probe: alive and Ready, but reconciles nothing at all (no watches, no Lease): a zombie. */
  zombie: "LLAMASTACK_ZOMBIE",
} as const;

export type SwitchName = keyof typeof SWITCHES;
export type SwitchVariable = (typeof SWITCHES)[SwitchName];

/** Which seed experiment (experiments/llamastack/<file>.yaml) each switch is meant to fail. */
export const SWITCH_FOR_EXPERIMENT = {
  "config-drift": SWITCHES.disableDriftRepair,
  "network-partition": SWITCHES.giveUpOnLostWatch,
  "pod-kill": SWITCHES.noLeaderRecovery,
  "rbac-revoke": SWITCHES.exitOnForbidden,
  "namespace-deletion": SWITCHES.noNamespaceRecreate,
  "deployment-scale-zero": SWITCHES.ignoreReplicaDrift,
  "crash-loop-inject": SWITCHES.ignoreCommandDrift,
  "image-corrupt": SWITCHES.ignoreImageDrift,
  "leader-election-disrupt": SWITCHES.ignoreLostLease,
  "webhook-disrupt": SWITCHES.noWebhookRepair,
  "label-stomping": SWITCHES.ignoreLabelDrift,
  "owner-ref-orphan": SWITCHES.noReadoption,
  "resource-deletion": SWITCHES.noServiceRecreate,
  "secret-deletion": SWITCHES.regenerateSecret,
  "crd-mutation": SWITCHES.ignoreRolloutSettings,
  "finalizer-block": SWITCHES.forgetDeletedDeployment,
  "client-fault": SWITCHES.giveUpOnConflict,
  "pdb-block": SWITCHES.ignoreDisruptionBudget,
  "webhook-latency": SWITCHES.shortLeaseTimeout,
  // quota-exhaustion is not here: its switch only shows once something must be created under the quota
  // (test/faults-admission.test.ts creates a distribution during the hold); the seed alone creates nothing.
} as const satisfies Record<string, SwitchVariable>;

export type Switches = Record<SwitchName, boolean>;

/** The switches as set in an environment: only the exact value "true" turns one on. */
export function switchesFrom(env: Record<string, string | undefined>): Switches {
  const on = (variable: SwitchVariable) => env[variable]?.trim().toLowerCase() === "true";
  // Derived from SWITCHES so a new switch needs one line there and nothing here.
  return Object.fromEntries(
    (Object.entries(SWITCHES) as [SwitchName, SwitchVariable][]).map(([name, variable]) => [name, on(variable)]),
  ) as Switches;
}

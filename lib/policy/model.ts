/**
 * Vocabulary of the policy suite: a check, the violations it reports, the context it reads other
 * objects through, and an exemption. Checks are pure: same objects in, same violations out.
 */
import { ObjectIndex } from '../checks/lookup';
import { ManifestObject } from '../checks/model';

export type Severity = 'danger' | 'warning';

export interface PolicyViolation {
  /** Dotted path of the offending field, e.g. `spec.template.spec.containers[0].securityContext`. */
  readonly field: string;
  readonly message: string;
  /** Name of the container the violation is about, when it is about one (exemptions can target it). */
  readonly container?: string;
  /**
   * The object itself carries the environment's acknowledgement of this risk (a config choice
   * written into dist, e.g. `kubernetesMcp.rbacRiskAcknowledged`): reported as exempt with it.
   * Only checks that document it set this.
   */
  readonly acknowledged?: string;
}

/** Everything a check may read besides the object itself: the other objects of the same environment. */
export interface PolicyContext {
  readonly env: string;
  /** Every object of this environment (all apps), including the one being checked. */
  readonly objects: readonly ManifestObject[];
  readonly index: ObjectIndex;
  /** Objects of this environment in `namespace` ('' for objects without one). */
  inNamespace(namespace: string): readonly ManifestObject[];
  /** Objects of this environment that create pods (workloads, CronJobs, bare Pods) in `namespace`. */
  workloads(namespace: string): readonly ManifestObject[];
  /** Objects of one kind in this environment, optionally in one namespace. */
  ofKind(kind: string, namespace?: string): readonly ManifestObject[];
}

export interface PolicyCheck {
  /** Stable id, `theme/name`; exemptions and reports refer to it. */
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  appliesTo(doc: any): boolean;
  check(doc: any, ctx: PolicyContext): PolicyViolation[];
}

export interface Exemption {
  readonly check: string;
  /** `Kind namespace/name` or `Kind name`, exactly as `objectId` prints it; no wildcards. */
  readonly object: string;
  /** Limits the exemption to violations about this container. */
  readonly container?: string;
  /** Limits the exemption to one environment. */
  readonly env?: string;
  /** Why the violation is accepted; printed next to every exempted result. */
  readonly reason: string;
}

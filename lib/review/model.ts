/**
 * Types of the change review: what changed between two syntheses of one environment (object- and
 * field-level) and the warnings about changes Argo CD cannot apply or that risk data.
 */

/** A manifest object of a synthesized environment, with where it was written. */
export interface ReviewObject {
  /** `group/Kind/namespace/name`: the identity Kubernetes uses (the API version may change). */
  readonly id: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** File relative to `dist/<env>/`, e.g. `penpot/penpot.k8s.yaml`. */
  readonly file: string;
  readonly doc: any;
}

/** One changed value; `path` as printed (`spec.containers[backend].image`). */
export interface FieldChange {
  readonly path: string;
  /** Undefined when the field is added. */
  readonly before?: unknown;
  /** Undefined when the field is removed. */
  readonly after?: unknown;
}

export type ObjectChange =
  | { readonly type: 'added'; readonly after: ReviewObject }
  | { readonly type: 'removed'; readonly before: ReviewObject }
  | { readonly type: 'changed'; readonly before: ReviewObject; readonly after: ReviewObject; readonly fields: readonly FieldChange[] };

/**
 * `blocking`: Argo CD cannot apply it, or data is lost or left behind (`npm run diff` exits 1).
 * `caution`: applies, but needs an action around the sync (a Secret to create, a Pod Security level to check).
 */
export type WarningLevel = 'blocking' | 'caution';

export interface ReviewWarning {
  readonly level: WarningLevel;
  readonly env: string;
  /** What it is about, e.g. `StatefulSet penpot/penpot-postgres`. */
  readonly subject: string;
  /** What happens if nothing is done. */
  readonly problem: string;
  /** What to do, with the commands. */
  readonly action: string;
}

/** A Secret of `dist/<env>/secrets.json`, as far as the review reads it. */
export interface ContractSecret {
  readonly name: string;
  readonly namespace: string;
  readonly keys: readonly { readonly key: string; readonly source?: string }[];
  readonly readBy?: readonly string[];
}

export interface EnvironmentReview {
  readonly env: string;
  /** Not in the base at all (e.g. a new, untracked environment). */
  readonly isNew: boolean;
  /** In the base but no longer configured. */
  readonly isRemoved: boolean;
  readonly changes: readonly ObjectChange[];
  /** Files other than manifests whose content changed (docs, client configs, the contract). */
  readonly otherFiles: readonly string[];
  readonly warnings: readonly ReviewWarning[];
}

/** The files of one environment folder: path relative to `dist/<env>/` -> content. */
export type EnvironmentFiles = ReadonlyMap<string, string>;

/**
 * `app.kubernetes.io/*` labels. Selectors use only the stable subset (name, instance,
 * component): a Deployment's selector is immutable, so it must never contain the version
 * or anything derived from construct paths.
 */
export interface WorkloadIdentity {
  /** The application, e.g. `penpot` or `postgresql`. */
  readonly name: string;
  /** The installation the workload belongs to, e.g. `penpot`. */
  readonly instance: string;
  /** Its role inside the application, e.g. `backend` or `database`. */
  readonly component: string;
  /** The larger system, e.g. `penpot`. */
  readonly partOf: string;
  /** Version of the software (never used in selectors). */
  readonly version?: string;
}

export const MANAGED_BY = 'cdk8s';

export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    'app.kubernetes.io/name': id.name,
    'app.kubernetes.io/instance': id.instance,
    'app.kubernetes.io/component': id.component,
  };
}

export function standardLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    'app.kubernetes.io/part-of': id.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    ...(id.version ? { 'app.kubernetes.io/version': id.version } : {}),
  };
}

/** Labels of objects that belong to a system but no single workload (Namespace, Ingress, Application). */
export function systemLabels(partOf: string): Record<string, string> {
  return { 'app.kubernetes.io/part-of': partOf, 'app.kubernetes.io/managed-by': MANAGED_BY };
}

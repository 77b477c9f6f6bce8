/**
 * Shared vocabulary of the manifest checks: what a loaded object and a finding are, and small
 * readers over untrusted documents. The documents come from YAML files and may have any shape,
 * so every reader here tolerates wrong types instead of throwing: a malformed manifest must end
 * up as a finding, never as a crash of the policy run.
 */

export interface ManifestObject {
  /** Path relative to the repo root, e.g. `dist/homelab/penpot/penpot.k8s.yaml`. */
  readonly file: string;
  readonly env: string;
  /** Folder under `dist/<env>/`; undefined for files directly in `dist/<env>/`. */
  readonly app?: string;
  readonly doc: any;
}

export interface Finding {
  /** Stable id, e.g. `wiring/service-selects-pods`. */
  readonly check: string;
  /** `Kind namespace/name` (or `Kind name` for objects without a namespace). */
  readonly object: string;
  /** e.g. `spec.ports[0].targetPort`. */
  readonly field?: string;
  readonly message: string;
  /**
   * File the object came from. Not part of `object` because the same object id exists once per
   * environment; the file is what tells them apart in a report.
   */
  readonly file?: string;
}

// The contract format is owned by its generator; the checks read the same types.
export type { SecretContract, SecretKeyContract, SecretsContract } from '../secrets-contract';
import type { SecretsContract } from '../secrets-contract';

export interface Dist {
  readonly root: string;
  readonly objects: readonly ManifestObject[];
  readonly contracts: ReadonlyMap<string, SecretsContract>;
  /** Every directory under root, relative to the repo root, like `dist/homelab/penpot`. */
  readonly dirs: ReadonlySet<string>;
}

/** The array at `value`, or an empty one when the document has something else there. */
export function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** The mapping at `value`, or an empty one when the document has something else there. */
export function asRecord(value: unknown): Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, any>) : {};
}

export function isRecord(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function kindOf(doc: any): string {
  return asString(asRecord(doc).kind) ?? '';
}

export function nameOf(doc: any): string {
  return asString(asRecord(asRecord(doc).metadata).name) ?? '';
}

/**
 * `metadata.namespace`, or '' when unset. Objects without a namespace are compared with each
 * other as if they shared one, which is what happens when Argo CD applies them all to its
 * destination namespace.
 */
export function namespaceOf(doc: any): string {
  return asString(asRecord(asRecord(doc).metadata).namespace) ?? '';
}

/** API group of an apiVersion: '' for the core group (`v1`). */
export function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `Kind namespace/name`, readable even for documents missing parts of it. */
export function objectId(doc: any): string {
  const kind = kindOf(doc) || '<no kind>';
  const name = nameOf(doc) || '<no name>';
  const ns = namespaceOf(doc);
  return ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`;
}

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

/** Dotted path of the pod spec inside a workload, for finding fields; undefined for non-workloads. */
export function podSpecPathOf(kind: string): string | undefined {
  if (kind === 'Pod') return 'spec';
  if (kind === 'CronJob') return 'spec.jobTemplate.spec.template.spec';
  if (TEMPLATE_KINDS.has(kind)) return 'spec.template.spec';
  return undefined;
}

/** Pod template metadata of a workload (the Pod's own metadata for a Pod). */
function podMetadataOf(doc: any): Record<string, any> | undefined {
  const kind = kindOf(doc);
  const spec = asRecord(asRecord(doc).spec);
  if (kind === 'Pod') return asRecord(asRecord(doc).metadata);
  if (kind === 'CronJob') return asRecord(asRecord(asRecord(asRecord(spec.jobTemplate).spec).template).metadata);
  if (TEMPLATE_KINDS.has(kind)) return asRecord(asRecord(spec.template).metadata);
  return undefined;
}

/** The pod spec a workload creates pods from; undefined for objects that create no pods. */
export function podSpecOf(doc: any): Record<string, any> | undefined {
  const kind = kindOf(doc);
  const spec = asRecord(asRecord(doc).spec);
  if (kind === 'Pod') return spec;
  if (kind === 'CronJob') return asRecord(asRecord(asRecord(asRecord(spec.jobTemplate).spec).template).spec);
  if (TEMPLATE_KINDS.has(kind)) return asRecord(asRecord(spec.template).spec);
  return undefined;
}

/** Labels the pods of a workload carry (what Service selectors are matched against). */
export function podLabelsOf(doc: any): Record<string, unknown> {
  return asRecord(podMetadataOf(doc)?.labels);
}

/**
 * Containers that can serve ports, mount volumes or read env: regular and init containers.
 * Ephemeral containers are left out: they are added by `kubectl debug`, never by manifests.
 */
export function containersOf(podSpec: any): any[] {
  const spec = asRecord(podSpec);
  return [...asArray(spec.containers), ...asArray(spec.initContainers)].filter(isRecord);
}

export interface ContainerEntry {
  readonly container: Record<string, any>;
  /** Dotted path of the container in its object, e.g. `spec.template.spec.containers[0]`. */
  readonly field: string;
}

/** `containersOf` with the field path of each container, for findings. */
export function containerEntriesOf(doc: any): ContainerEntry[] {
  const prefix = podSpecPathOf(kindOf(doc));
  const spec = podSpecOf(doc);
  if (prefix === undefined || spec === undefined) return [];
  const out: ContainerEntry[] = [];
  for (const list of ['containers', 'initContainers']) {
    asArray(spec[list]).forEach((container, i) => {
      if (isRecord(container)) out.push({ container, field: `${prefix}.${list}[${i}]` });
    });
  }
  return out;
}

// Kinds without a namespace; a namespace set on them is ignored by the API server.
const CLUSTER_SCOPED = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterIssuer', 'ClusterRole', 'ClusterRoleBinding',
  'ComponentStatus', 'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'FlowSchema', 'IngressClass',
  'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'MutatingWebhookConfiguration', 'Namespace',
  'Node', 'PersistentVolume', 'PriorityClass', 'PriorityLevelConfiguration', 'RuntimeClass',
  'SelfSubjectAccessReview', 'SelfSubjectReview', 'SelfSubjectRulesReview', 'StorageClass',
  'SubjectAccessReview', 'TokenReview', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration', 'VolumeAttachment', 'VolumeAttributesClass',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/**
 * Whether `labels` satisfy `selector`. A selector with `matchLabels` or `matchExpressions` is a
 * LabelSelector (workloads, NetworkPolicies); any other mapping is a Service-style equality map.
 * As in Kubernetes, an empty selector matches everything: callers that treat "no selector" as
 * "selects nothing" (Services) must check for that first.
 */
export function labelsMatch(selector: unknown, labels: unknown): boolean {
  const sel = asRecord(selector);
  const have = asRecord(labels);
  const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel;
  const equalities = isLabelSelector ? asRecord(sel.matchLabels) : sel;
  for (const [key, value] of Object.entries(equalities)) {
    if (have[key] !== value) return false;
  }
  if (!isLabelSelector) return true;
  return asArray(sel.matchExpressions).every((expr) => expressionMatches(asRecord(expr), have));
}

function expressionMatches(expr: Record<string, any>, labels: Record<string, any>): boolean {
  const key = asString(expr.key);
  if (key === undefined) return false;
  const present = Object.prototype.hasOwnProperty.call(labels, key);
  const values = asArray(expr.values);
  switch (expr.operator) {
    case 'In':
      return present && values.includes(labels[key]);
    case 'NotIn':
      return !present || !values.includes(labels[key]);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      // An unknown operator is rejected by the API server; matching nothing is the safe reading.
      return false;
  }
}

/** Builds a finding located at a loaded object. */
export function findingAt(check: string, m: ManifestObject, message: string, field?: string): Finding {
  return field === undefined
    ? { check, object: objectId(m.doc), message, file: m.file }
    : { check, object: objectId(m.doc), field, message, file: m.file };
}

/**
 * Readers over workloads the policy checks share: replica counts (with autoscalers), pod template
 * paths, and containers split into regular and init containers.
 */
import {
  asRecord, ContainerEntry, containerEntriesOf, kindOf, labelsMatch, nameOf, namespaceOf, podLabelsOf,
  podSpecPathOf,
} from '../checks/model';
import { PolicyContext } from './model';

/** Kinds whose pods run until deleted and are counted by `spec.replicas`. */
export const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
/** Long-running workloads: their containers serve, so they need readiness. */
export const LONG_RUNNING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function isWorkload(doc: any): boolean {
  return podSpecPathOf(kindOf(doc)) !== undefined;
}

/** `spec.template.metadata.labels` (or the equivalent path for CronJobs and Pods). */
export function podLabelsPathOf(kind: string): string {
  const spec = podSpecPathOf(kind) ?? 'spec.template.spec';
  return kind === 'Pod' ? 'metadata.labels' : `${spec.replace(/\.spec$/, '.metadata')}.labels`;
}

/** Containers with their field paths; `init` selects initContainers, otherwise regular containers. */
export function containerEntries(doc: any, which: 'all' | 'regular' | 'init' = 'all'): ContainerEntry[] {
  return containerEntriesOf(doc).filter((e) => which === 'all'
    || (which === 'init') === /\.initContainers\[\d+\]$/.test(e.field));
}

/** Container name for violations; '' when the document has none. */
export function containerName(entry: ContainerEntry): string {
  return typeof entry.container.name === 'string' ? entry.container.name : '';
}

/** HorizontalPodAutoscalers of the same environment and namespace that scale this workload. */
export function autoscalersOf(doc: any, ctx: PolicyContext): any[] {
  return ctx.ofKind('HorizontalPodAutoscaler', namespaceOf(doc))
    .map((m) => m.doc)
    .filter((hpa) => {
      const ref = asRecord(asRecord(asRecord(hpa).spec).scaleTargetRef);
      return ref.kind === kindOf(doc) && ref.name === nameOf(doc);
    });
}

/** `spec.replicas` with its default of 1; undefined for kinds without a replica count. */
export function declaredReplicas(doc: any): number | undefined {
  const kind = kindOf(doc);
  if (kind === 'Pod') return 1;
  if (!REPLICATED_KINDS.has(kind)) return undefined;
  const replicas = asRecord(asRecord(doc).spec).replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/** Fewest and most pods the workload runs, autoscalers included; undefined for non-replicated kinds. */
export function replicaRange(doc: any, ctx: PolicyContext): { min: number; max: number; autoscaled: boolean } | undefined {
  const declared = declaredReplicas(doc);
  if (declared === undefined) return undefined;
  const hpas = autoscalersOf(doc, ctx);
  if (hpas.length === 0) return { min: declared, max: declared, autoscaled: false };
  const specs = hpas.map((h) => asRecord(asRecord(h).spec));
  const min = Math.min(...specs.map((s) => (typeof s.minReplicas === 'number' ? s.minReplicas : 1)));
  const max = Math.max(...specs.map((s) => (typeof s.maxReplicas === 'number' ? s.maxReplicas : 1)));
  return { min, max, autoscaled: true };
}

/** PodDisruptionBudgets of the workload's namespace whose selector matches its pods. */
export function pdbsSelecting(doc: any, ctx: PolicyContext): any[] {
  const labels = podLabelsOf(doc);
  return ctx.ofKind('PodDisruptionBudget', namespaceOf(doc)).map((m) => m.doc)
    .filter((pdb) => {
      // policy/v1: a null selector selects no pods; an empty one ({}) selects every pod of the namespace.
      const selector = asRecord(asRecord(pdb).spec).selector;
      return selector !== undefined && selector !== null && labelsMatch(selector, labels);
    });
}

/** Canonical JSON (sorted keys), for comparing documents regardless of key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    return `{${Object.keys(rec).sort().map((k) => `${JSON.stringify(k)}:${canonical(rec[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}


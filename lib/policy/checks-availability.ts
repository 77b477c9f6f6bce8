/**
 * Availability: replicated workloads survive node drains (PodDisruptionBudget) and node loss
 * (spread), and no PDB blocks drains forever.
 */
import {
  asArray, asRecord, isRecord, kindOf, labelsMatch, ManifestObject, namespaceOf, objectId, podLabelsOf, podSpecOf,
  podSpecPathOf,
} from '../checks/model';
import { PolicyCheck, PolicyContext } from './model';
import { declaredReplicas, pdbsSelecting, REPLICATED_KINDS, replicaRange } from './workloads';

const isReplicated = (doc: any): boolean => REPLICATED_KINDS.has(kindOf(doc));

function replicaText(range: { min: number; max: number; autoscaled: boolean }): string {
  return range.autoscaled ? `autoscales to ${range.max} replicas` : `runs ${range.max} replicas`;
}

export const pdbForReplicated: PolicyCheck = {
  id: 'availability/pdb',
  severity: 'warning',
  description: 'a workload with more than one replica, or scaled by an HPA, is selected by a PodDisruptionBudget of its namespace',
  appliesTo: isReplicated,
  check(doc, ctx) {
    const range = replicaRange(doc, ctx);
    if (!range || (range.max <= 1 && !range.autoscaled)) return [];
    if (pdbsSelecting(doc, ctx).length > 0) return [];
    return [{
      field: 'spec.replicas',
      message: `${replicaText(range)} but no PodDisruptionBudget in namespace '${namespaceOf(doc)}' selects its pods: a drain may evict them all at once`,
    }];
  },
};

/** Whether a spread rule (anti-affinity term or topology constraint) counts the workload's own pods. */
function spreadsOwnPods(doc: any): boolean {
  const spec = asRecord(podSpecOf(doc));
  const labels = podLabelsOf(doc);
  const selects = (selector: unknown): boolean => isRecord(selector) && labelsMatch(selector, labels);
  const anti = asRecord(asRecord(spec.affinity).podAntiAffinity);
  const required = asArray(anti.requiredDuringSchedulingIgnoredDuringExecution);
  const preferred = asArray(anti.preferredDuringSchedulingIgnoredDuringExecution).map((p) => asRecord(p).podAffinityTerm);
  return [...required, ...preferred].some((term) => selects(asRecord(term).labelSelector))
    || asArray(spec.topologySpreadConstraints).some((c) => selects(asRecord(c).labelSelector));
}

export const spread: PolicyCheck = {
  id: 'availability/spread',
  severity: 'warning',
  description: 'a workload with more than one replica spreads its pods (podAntiAffinity or topologySpreadConstraints selecting its own pods)',
  appliesTo: isReplicated,
  check(doc, ctx) {
    const range = replicaRange(doc, ctx);
    if (!range || range.max <= 1) return [];
    if (spreadsOwnPods(doc)) return [];
    return [{
      field: `${podSpecPathOf(kindOf(doc))}.topologySpreadConstraints`,
      message: `${replicaText(range)} but has no podAntiAffinity or topologySpreadConstraints whose labelSelector `
        + 'selects its own pods: all replicas may land on one node',
    }];
  },
};

/** Pods a PDB can count on at steady state: the fewest replicas of each selected workload. */
function selectedWorkloads(pdb: any, ctx: PolicyContext): ManifestObject[] {
  const selector = asRecord(pdb).spec?.selector;
  if (selector === undefined || selector === null) return [];
  return ctx.workloads(namespaceOf(pdb)).filter((w) => labelsMatch(selector, podLabelsOf(w.doc)));
}

/** Value of an int-or-percent against `total`, rounded up as the disruption controller does. */
function scaled(value: unknown, total: number): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) return Math.ceil((total * parseInt(value, 10)) / 100);
  if (typeof value === 'string' && /^\d+$/.test(value)) return parseInt(value, 10);
  return undefined;
}

/** Evictions the PDB allows with every selected pod healthy; undefined when it cannot be computed. */
export function allowedDisruptions(pdb: any, expectedPods: number): number | undefined {
  const spec = asRecord(asRecord(pdb).spec);
  if (spec.maxUnavailable !== undefined) {
    const max = scaled(spec.maxUnavailable, expectedPods);
    return max === undefined ? undefined : Math.min(max, expectedPods);
  }
  // Neither field set: the API defaults minAvailable to 1.
  const min = scaled(spec.minAvailable ?? 1, expectedPods);
  return min === undefined ? undefined : Math.max(0, expectedPods - min);
}

export const pdbSelectsPods: PolicyCheck = {
  id: 'availability/pdb-selects-pods',
  severity: 'warning',
  description: 'a PodDisruptionBudget selects the pods of at least one workload of its namespace',
  appliesTo: (doc) => kindOf(doc) === 'PodDisruptionBudget',
  check(doc, ctx) {
    if (selectedWorkloads(doc, ctx).length > 0) return [];
    const selector = asRecord(doc).spec?.selector;
    return [{
      field: 'spec.selector',
      message: selector === undefined || selector === null
        ? 'has no selector: a PodDisruptionBudget without one protects no pods'
        : `selector ${JSON.stringify(selector)} matches no pod template in namespace '${namespaceOf(doc)}'`,
    }];
  },
};

export const noBlockingPdb: PolicyCheck = {
  id: 'availability/no-blocking-pdb',
  severity: 'danger',
  description: 'a PodDisruptionBudget allows at least one eviction when all its pods are healthy (otherwise node drains hang forever)',
  appliesTo: (doc) => kindOf(doc) === 'PodDisruptionBudget',
  check(doc, ctx) {
    const workloads = selectedWorkloads(doc, ctx);
    // DaemonSet pods are not evicted by drains; Jobs finish. Only pods with a replica count matter.
    const counted = workloads.filter((w) => declaredReplicas(w.doc) !== undefined);
    if (counted.length === 0) return [];
    const expected = counted.reduce((sum, w) => sum + (replicaRange(w.doc, ctx)?.min ?? 0), 0);
    const allowed = allowedDisruptions(doc, expected);
    if (allowed === undefined || allowed > 0) return [];
    const spec = asRecord(asRecord(doc).spec);
    const field = spec.maxUnavailable !== undefined ? 'spec.maxUnavailable' : 'spec.minAvailable';
    return [{
      field,
      message: `allows no eviction of the ${expected} pod(s) of ${counted.map((w) => objectId(w.doc)).join(', ')} `
        + `(${field.slice(5)}: ${JSON.stringify(spec[field.slice(5)] ?? 1)}): every node drain blocks forever`,
    }];
  },
};

export const AVAILABILITY_CHECKS: readonly PolicyCheck[] = [pdbForReplicated, spread, pdbSelectsPods, noBlockingPdb];

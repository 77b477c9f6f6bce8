/**
 * Network isolation (kube-score pod-networkpolicy / networkpolicy-targets-pod, Polaris): every pod
 * is under an ingress and an egress policy, every policy selects pods, and every port a policy
 * allows exists on the pods it is meant for.
 */
import {
  asArray, asRecord, containersOf, isRecord, kindOf, labelsMatch, ManifestObject, namespaceOf, podLabelsOf,
  podSpecOf,
} from '../checks/model';
import { showPort } from '../checks/lookup';
import { PolicyCheck, PolicyContext, PolicyViolation } from './model';
import { isWorkload, podLabelsPathOf } from './workloads';

const isNetworkPolicy = (doc: any): boolean => kindOf(doc) === 'NetworkPolicy';

/** Directions a NetworkPolicy restricts, with the API's default when policyTypes is unset. */
export function policyTypesOf(np: any): string[] {
  const spec = asRecord(asRecord(np).spec);
  const explicit = asArray(spec.policyTypes).filter((t) => typeof t === 'string');
  if (explicit.length > 0) return explicit;
  return spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** The podSelector of a policy; an absent one is read as `{}` (every pod of the namespace). */
const podSelectorOf = (np: any): unknown => asRecord(asRecord(np).spec).podSelector ?? {};

function isEmptySelector(selector: unknown): boolean {
  const s = asRecord(selector);
  return Object.keys(asRecord(s.matchLabels)).length === 0 && asArray(s.matchExpressions).length === 0
    && Object.keys(s).every((k) => k === 'matchLabels' || k === 'matchExpressions');
}

export function policySelectsPodsOf(np: any, workload: any): boolean {
  return namespaceOf(np) === namespaceOf(workload) && labelsMatch(podSelectorOf(np), podLabelsOf(workload));
}

/** Workloads of the policy's namespace whose pods the policy applies to. */
export function workloadsSelectedByPolicy(np: any, ctx: PolicyContext): ManifestObject[] {
  return ctx.workloads(namespaceOf(np)).filter((w) => labelsMatch(podSelectorOf(np), podLabelsOf(w.doc)));
}

export const podSelected: PolicyCheck = {
  id: 'network/pod-selected',
  severity: 'danger',
  description: 'every pod template is selected by a NetworkPolicy of its namespace restricting Ingress and by one restricting Egress',
  appliesTo: isWorkload,
  check(doc, ctx) {
    const policies = ctx.ofKind('NetworkPolicy', namespaceOf(doc)).map((m) => m.doc).filter((np) => policySelectsPodsOf(np, doc));
    return (['Ingress', 'Egress'] as const)
      .filter((dir) => !policies.some((np) => policyTypesOf(np).includes(dir)))
      .map((dir) => ({
        field: podLabelsPathOf(kindOf(doc)),
        message: `no NetworkPolicy in namespace '${namespaceOf(doc)}' with policyTypes ${dir} selects these pods: `
          + `${dir.toLowerCase()} traffic is unrestricted`,
      }));
  },
};

export const policySelectsPods: PolicyCheck = {
  id: 'network/policy-selects-pods',
  severity: 'warning',
  description: 'every NetworkPolicy selects at least one pod template of its namespace',
  appliesTo: isNetworkPolicy,
  check(doc, ctx) {
    if (workloadsSelectedByPolicy(doc, ctx).length > 0) return [];
    const selector = podSelectorOf(doc);
    return [{
      field: 'spec.podSelector',
      message: isEmptySelector(selector)
        ? `selects every pod of namespace '${namespaceOf(doc)}', which has none`
        : `podSelector ${JSON.stringify(selector)} matches no pod template in namespace '${namespaceOf(doc)}'`,
    }];
  },
};

/** Whether a container serves `port` (number, or name) with `protocol`; `endPort` makes a numeric range. */
function containerServes(container: unknown, port: unknown, protocol: string, endPort: unknown): boolean {
  return asArray(asRecord(container).ports).some((p) => {
    if (!isRecord(p) || (p.protocol ?? 'TCP') !== protocol) return false;
    if (typeof port === 'string') return p.name === port;
    if (typeof port !== 'number') return false;
    return typeof endPort === 'number' ? p.containerPort >= port && p.containerPort <= endPort : p.containerPort === port;
  });
}

const podServes = (workload: any, port: unknown, protocol: string, endPort: unknown): boolean =>
  containersOf(podSpecOf(workload)).some((c) => containerServes(c, port, protocol, endPort));

const METADATA_NAME = 'kubernetes.io/metadata.name';

/**
 * Pods an egress rule's peers resolve to, or undefined when some peer lies (partly) outside dist:
 * an ipBlock, a peer without podSelector, or a namespaceSelector that does not name one of our
 * namespaces by `kubernetes.io/metadata.name`.
 */
function egressTargets(np: any, rule: Record<string, any>, ctx: PolicyContext): ManifestObject[] | undefined {
  const peers = asArray(rule.to);
  if (peers.length === 0) return undefined;
  const ours = new Set([
    ...ctx.ofKind('Namespace').map((m) => asRecord(asRecord(m.doc).metadata).name),
    ...ctx.objects.filter((m) => isWorkload(m.doc)).map((m) => namespaceOf(m.doc)),
  ]);
  const targets: ManifestObject[] = [];
  for (const peer of peers.map(asRecord)) {
    if (peer.ipBlock !== undefined || peer.podSelector === undefined) return undefined;
    let ns = namespaceOf(np);
    if (peer.namespaceSelector !== undefined) {
      const named = asRecord(asRecord(peer.namespaceSelector).matchLabels)[METADATA_NAME];
      if (typeof named !== 'string' || !ours.has(named)) return undefined;
      ns = named;
    }
    targets.push(...ctx.workloads(ns).filter((w) => labelsMatch(peer.podSelector, podLabelsOf(w.doc))));
  }
  return targets;
}

function portViolations(
  rules: unknown, dir: 'ingress' | 'egress', targetsOf: (rule: Record<string, any>) => ManifestObject[] | undefined,
  what: string,
): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  asArray(rules).forEach((r, i) => {
    const rule = asRecord(r);
    const ports = asArray(rule.ports);
    if (ports.length === 0) return;
    const targets = targetsOf(rule);
    if (targets === undefined || targets.length === 0) return;
    ports.forEach((p, j) => {
      const { port, protocol, endPort } = asRecord(p);
      // No port: every port of that protocol is allowed, so there is nothing to look up.
      if (port === undefined) return;
      const proto = typeof protocol === 'string' ? protocol : 'TCP';
      if (targets.some((w) => podServes(w.doc, port, proto, endPort))) return;
      out.push({
        field: `spec.${dir}[${i}].ports[${j}].port`,
        message: `allows ${proto} port ${showPort(port)}${typeof endPort === 'number' ? `-${endPort}` : ''}, which no container of ${what} declares`,
      });
    });
  });
  return out;
}

export const portExists: PolicyCheck = {
  id: 'network/port-exists',
  severity: 'warning',
  description: 'every port an ingress rule allows is declared by a selected pod; every port an egress rule allows to our pods is declared by them',
  appliesTo: isNetworkPolicy,
  check(doc, ctx) {
    const spec = asRecord(asRecord(doc).spec);
    const selected = workloadsSelectedByPolicy(doc, ctx);
    return [
      ...portViolations(spec.ingress, 'ingress', () => selected, 'the pods this policy selects'),
      ...portViolations(spec.egress, 'egress', (rule) => egressTargets(doc, rule, ctx), 'the pods the rule sends to'),
    ];
  },
};

export const NETWORK_CHECKS: readonly PolicyCheck[] = [podSelected, policySelectsPods, portExists];

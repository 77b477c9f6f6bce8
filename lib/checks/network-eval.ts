/**
 * A small NetworkPolicy evaluator over synthesized objects: which pod templates exist, which
 * policies select them, and whether a connection (pod or address -> pod:port) is allowed by
 * the policies of both ends. Follows the Kubernetes semantics that matter here: a pod no policy
 * of a direction selects is open in that direction; selected pods allow the union of the rules;
 * a rule without `from`/`to` or `ports` matches everything; named ports resolve on the target.
 */
import { kmcpWorkloads } from './kmcp-workloads';
import { ManifestObject, asArray, asRecord, labelsMatch, podLabelsOf, podSpecOf } from './model';

export interface PodTemplate {
  readonly env: string;
  readonly namespace: string;
  /** `Kind/name` of the owning workload. */
  readonly owner: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly name?: string; readonly containerPort: number; readonly protocol: string }[];
}

/** A connection source: a pod template, or an address outside the cluster's pods. */
export type Source = PodTemplate | { readonly ip: string };

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];

/** Pod templates of the workloads in `objects`, plus the pods kMCP creates for MCPServers. */
export function podTemplates(objects: readonly ManifestObject[]): PodTemplate[] {
  return [...objects.filter((o) => WORKLOAD_KINDS.includes(o.doc?.kind)), ...kmcpWorkloads(objects)].map((o) => {
    const spec = asRecord(podSpecOf(o.doc));
    const containers = [...asArray(spec.containers), ...asArray(spec.initContainers)];
    return {
      env: o.env,
      namespace: o.doc.metadata?.namespace ?? '',
      owner: `${o.doc.kind}/${o.doc.metadata?.name}`,
      labels: podLabelsOf(o.doc) as Record<string, string>,
      ports: containers.flatMap((c) => asArray(c.ports).map((p: any) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' }))),
    };
  });
}

function namespaceLabels(objects: readonly ManifestObject[], env: string, namespace: string): Record<string, string> {
  const ns = objects.find((o) => o.env === env && o.doc?.kind === 'Namespace' && o.doc.metadata?.name === namespace);
  // Kubernetes sets this label on every namespace (1.21+).
  return { ...asRecord(ns?.doc.metadata?.labels), 'kubernetes.io/metadata.name': namespace };
}

function policyTypes(policy: any): string[] {
  const types = asArray(policy.spec?.policyTypes);
  if (types.length > 0) return types;
  return ['Ingress', ...(policy.spec?.egress ? ['Egress'] : [])];
}

/** NetworkPolicies of the pod's namespace that select it for a direction. */
export function selectingPolicies(objects: readonly ManifestObject[], pod: PodTemplate, direction: 'Ingress' | 'Egress'): any[] {
  return objects
    .filter((o) => o.env === pod.env && o.doc?.kind === 'NetworkPolicy' && (o.doc.metadata?.namespace ?? '') === pod.namespace)
    .map((o) => o.doc)
    .filter((p) => policyTypes(p).includes(direction) && labelsMatch(p.spec?.podSelector ?? {}, pod.labels));
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => (acc * 256) + Number(octet), 0);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(base) / size) * size;
  const value = ipToInt(ip);
  return value >= start && value < start + size;
}

function peerMatches(objects: readonly ManifestObject[], peer: any, policyNamespace: string, other: Source): boolean {
  if (peer.ipBlock) {
    if (!('ip' in other)) return false;
    return cidrContains(peer.ipBlock.cidr, other.ip) && !asArray(peer.ipBlock.except).some((e: string) => cidrContains(e, other.ip));
  }
  if ('ip' in other) return false;
  const nsOk = peer.namespaceSelector
    ? labelsMatch(peer.namespaceSelector, namespaceLabels(objects, other.env, other.namespace))
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? labelsMatch(peer.podSelector, other.labels) : true;
  return nsOk && podOk;
}

function portMatches(rulePorts: any[] | undefined, target: PodTemplate, port: number, protocol: string): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.endPort ? port >= p.port && port <= p.endPort : port === p.port;
    return target.ports.some((cp) => cp.name === p.port && cp.containerPort === port && cp.protocol === protocol);
  });
}

function allowedBy(objects: readonly ManifestObject[], policies: any[], direction: 'Ingress' | 'Egress', other: Source, target: PodTemplate, port: number, protocol: string): boolean {
  if (policies.length === 0) return true;
  const key = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return policies.some((policy) => asArray(policy.spec?.[key]).some((rule: any) => {
    const peers = rule[peersKey];
    const peerOk = !peers || peers.length === 0 || peers.some((peer: any) => peerMatches(objects, peer, policy.metadata?.namespace ?? '', other));
    return peerOk && portMatches(rule.ports, target, port, protocol);
  }));
}

/**
 * Whether `from` may open a connection to `to` on `port`: the egress policies of the source
 * pod (addresses outside the pods have none here) and the ingress policies of the target.
 */
export function canConnect(objects: readonly ManifestObject[], from: Source, to: PodTemplate, port: number, protocol = 'TCP'): boolean {
  const egressOk = 'ip' in from || allowedBy(objects, selectingPolicies(objects, from, 'Egress'), 'Egress', to, to, port, protocol);
  const ingressOk = allowedBy(objects, selectingPolicies(objects, to, 'Ingress'), 'Ingress', from, to, port, protocol);
  return egressOk && ingressOk;
}

/** Whether a pod may reach an address outside the cluster's pods on `port`. */
export function canReachAddress(objects: readonly ManifestObject[], from: PodTemplate, ip: string, port: number, protocol = 'TCP'): boolean {
  const policies = selectingPolicies(objects, from, 'Egress');
  if (policies.length === 0) return true;
  return policies.some((policy) => asArray(policy.spec?.egress).some((rule: any) => {
    const peers = asArray(rule.to);
    const peerOk = peers.length === 0 || peers.some((peer: any) => peerMatches(objects, peer, policy.metadata?.namespace ?? '', { ip }));
    const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p: any) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));
    return peerOk && portOk;
  }));
}

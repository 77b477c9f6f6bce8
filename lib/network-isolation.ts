import { Construct } from 'constructs';
import { k8s } from './k8s';

/**
 * Pods a rule talks about: in this namespace by labels, in another namespace, in every namespace
 * carrying some labels (OpenShift's router namespaces), or addresses.
 */
export type Peer =
  | { readonly pods: Readonly<Record<string, string>>; readonly namespace?: string }
  | { readonly pods: Readonly<Record<string, string>>; readonly namespaceLabels: Readonly<Record<string, string>> }
  | { readonly cidrs: readonly string[] };

export interface PortRule {
  readonly port: number | string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

export interface DnsTarget {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Ports the DNS pods listen on (after the Service's translation). @default [53] */
  readonly ports?: readonly number[];
}

export interface NetworkIsolationProps {
  readonly namespace: string;
  /** Cluster DNS, which every pod may query. */
  readonly dns: DnsTarget;
  readonly labels?: Readonly<Record<string, string>>;
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function peerOf(peer: Peer, ownNamespace: string): k8s.NetworkPolicyPeer {
  if ('cidrs' in peer) return { ipBlock: { cidr: peer.cidrs[0] } };
  if ('namespaceLabels' in peer) {
    return { podSelector: { matchLabels: { ...peer.pods } }, namespaceSelector: { matchLabels: { ...peer.namespaceLabels } } };
  }
  const namespace = peer.namespace ?? ownNamespace;
  return {
    podSelector: { matchLabels: { ...peer.pods } },
    // Always explicit: a bare podSelector would silently mean "this namespace" only.
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  };
}

function peersOf(peer: Peer, ownNamespace: string): k8s.NetworkPolicyPeer[] {
  return 'cidrs' in peer ? peer.cidrs.map((cidr) => ({ ipBlock: { cidr } })) : [peerOf(peer, ownNamespace)];
}

function portsOf(ports: readonly PortRule[]): k8s.NetworkPolicyPort[] {
  return ports.map((p) => ({
    port: typeof p.port === 'number' ? k8s.IntOrString.fromNumber(p.port) : k8s.IntOrString.fromString(p.port),
    protocol: p.protocol ?? 'TCP',
  }));
}

/** The NetworkPolicy peer of a configured location: a namespace by name, or a group of namespaces by labels. */
export function peerAt(location: { readonly podLabels: Readonly<Record<string, string>>; readonly namespace?: string; readonly namespaceLabels?: Readonly<Record<string, string>> }): Peer {
  return location.namespaceLabels !== undefined
    ? { pods: location.podLabels, namespaceLabels: location.namespaceLabels }
    : { pods: location.podLabels, namespace: location.namespace };
}

/**
 * Default-deny networking for one namespace: a policy that selects every pod with no rule
 * (nothing in, nothing out), DNS for every pod, then one policy per workload holding exactly
 * the flows the platform's wiring needs. Rules are added by {@link allow}, which writes the
 * egress side on the client and the ingress side on the server in one call, so the two
 * halves of a flow cannot drift apart.
 */
export class NetworkIsolation extends Construct {
  private readonly namespace: string;
  private readonly policies = new Map<string, { ingress: k8s.NetworkPolicyIngressRule[]; egress: k8s.NetworkPolicyEgressRule[] }>();
  private readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.labels = { ...props.labels };
    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny', namespace: this.namespace, labels: this.labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'allow-dns', {
      metadata: { name: 'allow-dns', namespace: this.namespace, labels: this.labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [peerOf({ pods: props.dns.podLabels, namespace: props.dns.namespace }, this.namespace)],
          ports: portsOf((props.dns.ports ?? [53]).flatMap((port) => [{ port, protocol: 'UDP' as const }, { port, protocol: 'TCP' as const }])),
        }],
      },
    });
  }

  /**
   * The policy of one workload of this namespace (created on first use). `name` is the
   * workload's name; `pods` its selector labels.
   */
  private policyFor(name: string, pods: Readonly<Record<string, string>>) {
    let rules = this.policies.get(name);
    if (!rules) {
      rules = { ingress: [], egress: [] };
      this.policies.set(name, rules);
      // The rule arrays are rendered at synth time, so flows added later still land here.
      new k8s.KubeNetworkPolicy(this, name, {
        metadata: { name, namespace: this.namespace, labels: this.labels },
        spec: { podSelector: { matchLabels: { ...pods } }, policyTypes: ['Ingress', 'Egress'], ingress: rules.ingress, egress: rules.egress },
      });
    }
    return rules;
  }

  /** Declares a workload of this namespace, so it gets its own (possibly empty) policy. */
  workload(name: string, pods: Readonly<Record<string, string>>): void {
    this.policyFor(name, pods);
  }

  /** Lets a workload of this namespace accept `ports` from `from` (pods elsewhere, or CIDRs). */
  allowIngress(to: { name: string; pods: Readonly<Record<string, string>> }, from: Peer, ports: readonly PortRule[]): void {
    this.policyFor(to.name, to.pods).ingress.push({ from: peersOf(from, this.namespace), ports: portsOf(ports) });
  }

  /** Lets a workload of this namespace open connections to `to` on `ports`. */
  allowEgress(from: { name: string; pods: Readonly<Record<string, string>> }, to: Peer, ports: readonly PortRule[]): void {
    this.policyFor(from.name, from.pods).egress.push({ to: peersOf(to, this.namespace), ports: portsOf(ports) });
  }

  /** Both halves of a flow between two workloads of this namespace. */
  allow(from: { name: string; pods: Readonly<Record<string, string>> }, to: { name: string; pods: Readonly<Record<string, string>> }, ports: readonly PortRule[]): void {
    this.allowEgress(from, { pods: to.pods }, ports);
    this.allowIngress(to, { pods: from.pods }, ports);
  }
}

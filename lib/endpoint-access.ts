/**
 * Who may connect to each MCP endpoint, read from the synthesized NetworkPolicies themselves (the
 * ingress rules of the policies selecting the endpoint's pods on its MCP port), so that CONNECT.md
 * cannot claim a caller the manifests refuse or omit one they admit. test/connect-access.test.ts
 * checks every listed caller (and nobody else) with the policy evaluator of lib/checks/network-eval.ts.
 */
import { podTemplates } from './checks/network-eval';
import { ManifestObject, asArray, asRecord, labelsMatch } from './checks/model';
import { McpEndpoint } from './mcp-gateway';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** One peer of an ingress rule that admits the endpoint's MCP port. */
export type Caller =
  /** Pods of one namespace (`pods` empty: every pod of it). */
  | { readonly kind: 'pods'; readonly namespace: string; readonly pods: Readonly<Record<string, string>> }
  /** Pods of every namespace carrying these labels (OpenShift's router namespaces). */
  | { readonly kind: 'namespace-group'; readonly namespaceLabels: Readonly<Record<string, string>>; readonly pods: Readonly<Record<string, string>> }
  /** Addresses (NodePort clients over a VPN, ...). */
  | { readonly kind: 'cidr'; readonly cidr: string };

/** The endpoint's MCP container port as a number (named ports resolved on its pods). */
export function mcpContainerPort(objects: readonly ManifestObject[], endpoint: McpEndpoint): number | undefined {
  if (typeof endpoint.targetPort === 'number') return endpoint.targetPort;
  const pod = podTemplates(objects).find((p) => p.namespace === endpoint.namespace && labelsMatch({ matchLabels: endpoint.pods }, p.labels));
  return pod?.ports.find((p) => p.name === endpoint.targetPort)?.containerPort;
}

function portAdmitted(rulePorts: unknown, port: number | undefined, portName: string | number): boolean {
  const ports = asArray(rulePorts);
  if (ports.length === 0) return true;
  return ports.some((p) => p.port === undefined || p.port === port || p.port === portName);
}

/** Callers the NetworkPolicies of the endpoint's namespace admit on its MCP port, in policy order, without repeats. */
export function endpointCallers(objects: readonly ManifestObject[], endpoint: McpEndpoint): Caller[] {
  const port = mcpContainerPort(objects, endpoint);
  const policies = objects.map((o) => o.doc).filter((d) => d?.kind === 'NetworkPolicy' && d.metadata?.namespace === endpoint.namespace
    && asArray(d.spec?.policyTypes).includes('Ingress') && labelsMatch(d.spec?.podSelector ?? {}, endpoint.pods));
  const out: Caller[] = [];
  const seen = new Set<string>();
  const push = (c: Caller): void => {
    const key = JSON.stringify(c);
    if (!seen.has(key)) { seen.add(key); out.push(c); }
  };
  for (const policy of policies) {
    for (const rule of asArray(policy.spec?.ingress)) {
      if (!portAdmitted(rule.ports, port, endpoint.targetPort)) continue;
      for (const peer of asArray(rule.from)) {
        if (peer.ipBlock) { push({ kind: 'cidr', cidr: String(peer.ipBlock.cidr) }); continue; }
        const pods: Record<string, string> = { ...asRecord(asRecord(peer.podSelector).matchLabels) };
        const nsLabels: Record<string, string> = { ...asRecord(asRecord(peer.namespaceSelector).matchLabels) };
        if (!peer.namespaceSelector) push({ kind: 'pods', namespace: endpoint.namespace, pods });
        else if (Object.keys(nsLabels).length === 1 && nsLabels[NAMESPACE_NAME_LABEL]) push({ kind: 'pods', namespace: nsLabels[NAMESPACE_NAME_LABEL], pods });
        else push({ kind: 'namespace-group', namespaceLabels: nsLabels, pods });
      }
    }
  }
  return out;
}

/** Whether a caller lies outside the endpoint's own namespace. */
export function isBeyondNamespace(caller: Caller, endpoint: McpEndpoint): boolean {
  return caller.kind !== 'pods' || caller.namespace !== endpoint.namespace;
}

/** The workloads of `objects` a caller's pod selector picks, as `Kind/name` (for the docs). */
function ownersOf(objects: readonly ManifestObject[], namespace: string, pods: Readonly<Record<string, string>>): string[] {
  if (Object.keys(pods).length === 0) return [];
  return podTemplates(objects).filter((p) => p.namespace === namespace && labelsMatch({ matchLabels: pods }, p.labels)).map((p) => p.owner);
}

const labelText = (labels: Readonly<Record<string, string>>): string => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

/** One phrase naming a caller, for CONNECT.md (parsed back by its test: keep the backticked parts). */
export function describeCaller(objects: readonly ManifestObject[], caller: Caller): string {
  switch (caller.kind) {
    case 'cidr':
      return `addresses \`${caller.cidr}\``;
    case 'namespace-group':
      return `${Object.keys(caller.pods).length === 0 ? 'every pod' : `pods \`${labelText(caller.pods)}\``} of namespaces labelled \`${labelText(caller.namespaceLabels)}\``;
    default: {
      if (Object.keys(caller.pods).length === 0) return `every pod of namespace \`${caller.namespace}\``;
      const owners = ownersOf(objects, caller.namespace, caller.pods);
      return `pods \`${labelText(caller.pods)}\` of namespace \`${caller.namespace}\`${owners.length > 0 ? ` (${owners.join(', ')})` : ''}`;
    }
  }
}

/** Whether a client must present a credential: a bearer token, or a per-user key in the URL. */
export function requiresCredential(endpoint: McpEndpoint): boolean {
  return endpoint.bearer !== undefined || endpoint.auth !== undefined;
}

/** An endpoint that pods or addresses beyond its namespace reach without any credential. */
export interface OpenEndpoint {
  readonly endpoint: McpEndpoint;
  readonly callers: readonly Caller[];
  /** The acknowledgement (environment's, or the platform's design reason). */
  readonly acknowledged?: string;
}

export function openEndpoints(objects: readonly ManifestObject[], endpoints: readonly McpEndpoint[]): OpenEndpoint[] {
  return endpoints.flatMap((endpoint) => {
    if (requiresCredential(endpoint)) return [];
    const callers = endpointCallers(objects, endpoint).filter((c) => isBeyondNamespace(c, endpoint));
    return callers.length > 0 ? [{ endpoint, callers, acknowledged: endpoint.unauthenticatedReason }] : [];
  });
}

/**
 * The cluster platform an environment targets (`cluster.platform`): its defaults and the settings
 * that make no sense on it. `kubernetes` keeps every earlier default unchanged; `openshift`
 * exposes through Routes (TLS at the router), leaves UIDs to the restricted-v2 SCC and aims the
 * NetworkPolicies at OpenShift's router, DNS and API server.
 */
import type { GatewayReference, Routing } from '../routing/routing';
import type { ConfigIssue } from './resolve';
import { isDnsSubdomain, isPort } from './rules';
import {
  ClusterConfig, ClusterPlatform, DnsLocation, EnvironmentConfig, EnvironmentInput, NamespaceGroupLocation, NetworkConfig,
  PodLocation,
} from './types';

export const CLUSTER_PLATFORMS: readonly ClusterPlatform[] = ['kubernetes', 'openshift'];

export function applyClusterDefaults(input: EnvironmentInput): ClusterConfig {
  return { platform: input.cluster?.platform ?? 'kubernetes' };
}

export function isOpenShift(env: { readonly cluster: ClusterConfig }): boolean {
  return env.cluster.platform === 'openshift';
}

/**
 * OpenShift's router namespaces carry this label, which NetworkPolicies select them by (OpenShift
 * docs, "allow-from-openshift-ingress": `namespaceSelector.matchLabels: network.openshift.io/policy-group: ingress`).
 * Routers on the host network (HostNetwork endpoint publishing) are not matched by it: set
 * `network.ingressController` to what your cluster documents for that case.
 */
export const OPENSHIFT_ROUTER: NamespaceGroupLocation = {
  namespaceLabels: { 'network.openshift.io/policy-group': 'ingress' },
  podLabels: {},
};

/**
 * OpenShift's CoreDNS: DaemonSet `dns-default` in `openshift-dns`, pods labelled
 * `dns.operator.openshift.io/daemonset-dns: default`, listening on 5353 UDP/TCP; the `dns-default`
 * Service maps 53 to the pods' named port `dns` (5353). Source: the DNS operator's assets as
 * vendored in openshift/microshift, assets/components/openshift-dns/dns/daemonset.yaml @
 * 6c36ffc48116512ec0a96df552071bc0e5547275 (and dns/service.yaml). A NetworkPolicy port is "the
 * port on the given protocol ... on a pod" (NetworkPolicyPort.port, networking.k8s.io/v1), i.e. the
 * port after the Service translated 53: policies must allow 5353.
 */
export const OPENSHIFT_DNS: DnsLocation = {
  namespace: 'openshift-dns',
  podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
  ports: [5353],
};

/** ingress-nginx's controller pods, as its Helm chart and static manifests label them. */
export const INGRESS_NGINX_PODS: PodLocation = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };

/**
 * k3s' packaged Traefik: HelmChart `traefik` in `kube-system`, whose Deployment's pods the Traefik
 * Helm chart labels `app.kubernetes.io/name: traefik` (plus `app.kubernetes.io/instance:
 * traefik-kube-system`). The name alone is what both the Ingress and the Gateway API provider run as.
 */
export const K3S_TRAEFIK_PODS: PodLocation = { namespace: 'kube-system', podLabels: { 'app.kubernetes.io/name': 'traefik' } };

/**
 * Where a Gateway's data-plane pods run, per implementation; undefined when no pod selector can
 * name them (Cilium serves Gateways from its node agent: traffic comes from node addresses) or the
 * implementation is not known here: `network.ingressController` must then say.
 * - Envoy Gateway (default deployment mode): one Envoy Deployment per Gateway in the controller's
 *   namespace `envoy-gateway-system`, labelled with the owning Gateway's name and namespace.
 * - Istio (automated deployment): pods in the Gateway's namespace labelled
 *   `gateway.networking.k8s.io/gateway-name: <gateway>`.
 * - Traefik: its own pods (on k3s, {@link K3S_TRAEFIK_PODS}).
 */
export function gatewayDataPlanePods(gateway: GatewayReference): PodLocation | undefined {
  switch (gateway.implementation) {
    case 'traefik': return K3S_TRAEFIK_PODS;
    case 'envoy-gateway': return {
      namespace: 'envoy-gateway-system',
      podLabels: {
        'app.kubernetes.io/name': 'envoy',
        'app.kubernetes.io/component': 'proxy',
        'gateway.envoyproxy.io/owning-gateway-name': gateway.name,
        'gateway.envoyproxy.io/owning-gateway-namespace': gateway.namespace,
      },
    };
    case 'istio': return { namespace: gateway.namespace, podLabels: { 'gateway.networking.k8s.io/gateway-name': gateway.name } };
    default: return undefined;
  }
}

/** The controller pods the NetworkPolicies admit by default for a routing choice (undefined: must be configured). */
export function ingressControllerDefault(routing: Routing): PodLocation | NamespaceGroupLocation | undefined {
  switch (routing.controller) {
    case 'openshift': return OPENSHIFT_ROUTER;
    case 'ingress-nginx': return INGRESS_NGINX_PODS;
    case 'traefik': return K3S_TRAEFIK_PODS;
    case 'gateway-api': return routing.gateway ? gatewayDataPlanePods(routing.gateway) : undefined;
  }
}

type PlatformNetwork = Pick<NetworkConfig, 'ingressController' | 'dns' | 'apiServer'>;

const NETWORK_DEFAULTS: Readonly<Record<ClusterPlatform, PlatformNetwork>> = {
  kubernetes: {
    ingressController: INGRESS_NGINX_PODS,
    dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
    apiServer: { cidrs: ['0.0.0.0/0'], ports: [443, 6443] },
  },
  openshift: {
    ingressController: OPENSHIFT_ROUTER,
    dns: OPENSHIFT_DNS,
    // The `kubernetes` Service (172.30.0.1:443) is translated to the control plane nodes' :6443
    // (kube-apiserver's port) before policies apply, as with the DNS port above. Narrow the CIDRs
    // to your control plane nodes' addresses.
    apiServer: { cidrs: ['0.0.0.0/0'], ports: [6443] },
  },
};

/** Where the default-deny policies let traffic through, per platform (unknown platforms: as kubernetes). */
export function networkDefaults(platform: ClusterPlatform): PlatformNetwork {
  return NETWORK_DEFAULTS[platform] ?? NETWORK_DEFAULTS.kubernetes;
}

/** Users type https on OpenShift: edge Routes terminate TLS at the router and redirect http. */
export function defaultScheme(platform: ClusterPlatform, tlsSecretName: string | undefined): 'http' | 'https' {
  return tlsSecretName || platform === 'openshift' ? 'https' : 'http';
}

export function isNamespaceGroup(location: PodLocation | NamespaceGroupLocation): location is NamespaceGroupLocation {
  return 'namespaceLabels' in location;
}

/** A Kubernetes label key: optional DNS prefix, then a name of 1-63 characters. */
function isLabelKey(key: string): boolean {
  const [prefix, name] = key.includes('/') ? [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)] : [undefined, key];
  return (prefix === undefined || isDnsSubdomain(prefix)) && /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/.test(name);
}

const show = (v: unknown): string => JSON.stringify(v);

/** Every problem of the platform choice and of settings that contradict it (empty when valid). */
export function validateCluster(env: EnvironmentConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (field: string, problem: string): void => { issues.push({ field: `environments.${env.name}.${field}`, problem }); };
  if (!CLUSTER_PLATFORMS.includes(env.cluster.platform)) {
    add('cluster.platform', `${show(env.cluster.platform)} is not supported; allowed: ${CLUSTER_PLATFORMS.join(' or ')}`);
  }

  const controller = env.network.ingressController;
  if (isNamespaceGroup(controller)) {
    const keys = Object.keys(controller.namespaceLabels);
    if (keys.length === 0) add('network.ingressController.namespaceLabels', 'is empty (it would match every namespace); allowed: the labels of the router\'s namespaces');
    keys.filter((k) => !isLabelKey(k)).forEach((k) => add('network.ingressController.namespaceLabels', `${show(k)} is not a label key`));
  }
  (env.network.dns.ports ?? []).forEach((p, i) => {
    if (!isPort(p)) add(`network.dns.ports[${i}]`, `${show(p)} is out of range; allowed: an integer 1-65535 (the DNS pods' own port)`);
  });
  if (env.network.dns.ports !== undefined && env.network.dns.ports.length === 0) {
    add('network.dns.ports', 'is empty: no pod could resolve names; allowed: the port the DNS pods listen on, e.g. [53] or [5353] on OpenShift');
  }

  if (!isOpenShift(env)) return issues;
  // Routes are the way into an OpenShift cluster: no node ports, TLS at the router.
  const nodePort = 'NodePort is not used on OpenShift: Routes are the way in (the router terminates TLS for hosts of the apps domain), a node '
    + 'port would serve plain http on a node address past it; allowed: ClusterIP, with';
  if (env.kubernetesMcp.enabled && env.kubernetesMcp.exposure.type === 'NodePort') {
    add('kubernetesMcp.exposure.type', `${nodePort} kubernetesMcp.ingressHost for an edge Route (https)`);
  }
  if (env.penpot.enabled && env.penpot.mcp.enabled && env.penpot.mcp.exposure.type === 'NodePort') {
    add('penpot.mcp.exposure.type', `${nodePort} penpot.mcp.host for an edge Route (https), or the same-origin /mcp/stream`);
  }
  if (env.ingress.tlsSecretName !== undefined) {
    add('ingress.tlsSecretName', 'is not used on OpenShift: edge Routes terminate TLS with the router\'s certificate (the *.apps wildcard or the '
      + 'IngressController\'s defaultCertificate); allowed: leave it unset and give the router a certificate covering your hosts');
  }
  if (env.penpot.enabled) {
    if (env.penpot.scheme !== 'https' || !env.penpot.publicUri.startsWith('https://')) {
      add(env.penpot.scheme !== 'https' ? 'penpot.scheme' : 'penpot.publicUri',
        'must be https on OpenShift: the edge Route redirects http to https, so PENPOT_PUBLIC_URI must be what users end up on; allowed: https');
    }
    if (env.penpot.objectStorage.backend === 'fs' && env.storage.hostPathBacked) {
      add('storage.hostPathBacked', `is true (storage.className ${show(env.storage.className)}): the assets ownership fix runs as root, which the `
        + 'restricted-v2 SCC refuses; allowed: a StorageClass that honours fsGroup (e.g. LVMS or ODF) with hostPathBacked: false, or penpot.objectStorage s3');
    }
  }
  return issues;
}

/**
 * `dist/<env>/ROUTING.md`: how an environment's hosts are routed, generated from the routed hosts
 * themselves (so it cannot drift from the YAML): hosts and objects, the timeouts and limits in
 * effect and where they come from upstream, the controller pods the NetworkPolicies admit, and what
 * the cluster must provide (Traefik's entrypoint timeouts, a Gateway's allowedRoutes).
 */
import type { EnvironmentConfig, NamespaceGroupLocation, PodLocation } from '../config/types';
import { ingressHosts } from '../config/resolve';
import { RoutedHost } from './routed-host';
import { Routing, routingOf } from './routing';
import { TRAEFIK_VERSION } from './traefik';

export const ROUTING_DOC_FILE = 'ROUTING.md';

/** Upstream's own words for what each controller makes of the project's stream timeout. */
export function timeoutsInEffect(routing: Routing, seconds: number): string[] {
  switch (routing.controller) {
    case 'ingress-nginx': return [
      `\`nginx.ingress.kubernetes.io/proxy-read-timeout\` and \`proxy-send-timeout\` = ${seconds}: nginx's \`proxy_read_timeout\`/\`proxy_send_timeout\`, the longest pause between two reads or writes, so a stream that keeps sending stays open past it (ingress-nginx default 60 s).`,
      'WebSockets: `proxy-http-version: 1.1` passes `Upgrade`; the same timeouts apply to the upgraded connection.',
    ];
    case 'openshift': return [
      `\`haproxy.router.openshift.io/timeout\` = ${seconds}s: HAProxy's server-side timeout (router default 30 s), which also bounds idle WebSockets.`,
    ];
    case 'traefik': return [
      ...traefikEntrypointTimeouts(),
      `Ingresses carry no timeout: Traefik has no per-router timeout, so ${seconds} s is not applied; raise the entrypoint timeouts with the HelmChartConfig below if needed.`,
    ];
    case 'gateway-api': {
      const implementation = routing.gateway?.implementation ?? 'other';
      const spec = `HTTPRoute \`timeouts.request\` = \`timeouts.backendRequest\` = ${seconds}s (Gateway API, Extended support): the whole request-response exchange, `
        + 'so unlike nginx\'s idle timeout it also ends a stream that is still sending (Server-Sent Events, MCP GET streams) once it is that old; MCP clients reconnect.';
      const per: Record<string, string[]> = {
        traefik: [
          `Traefik ${TRAEFIK_VERSION} ignores HTTPRoute \`timeouts\` (its Gateway API provider, pkg/provider/kubernetes/gateway, reads no timeouts): the entrypoint timeouts apply instead.`,
          ...traefikEntrypointTimeouts(),
        ],
        'envoy-gateway': ['Envoy Gateway honours `request` (Envoy\'s route timeout; without it Envoy\'s default of 15 s would end every stream) and `backendRequest` (per try).'],
        istio: ['Istio honours `request` (the route timeout) and `backendRequest` (per-try timeout).'],
        cilium: ['Cilium: check your release\'s Gateway API conformance report for `HTTPRouteRequestTimeout`; without it, Envoy\'s route defaults apply.'],
        'nginx-gateway-fabric': ['NGINX Gateway Fabric: check your release\'s conformance report for `HTTPRouteRequestTimeout`; where unsupported, nginx\'s own proxy timeouts (60 s) apply to idle streams.'],
        other: ['Other implementations: see their conformance report for `HTTPRouteRequestTimeout` / `HTTPRouteBackendRequestTimeout`.'],
      };
      return [spec, ...per[implementation]];
    }
  }
}

function traefikEntrypointTimeouts(): string[] {
  return [
    `Traefik ${TRAEFIK_VERSION} entrypoint \`transport.respondingTimeouts\` (pkg/config/static/static_config.go): \`readTimeout\` 60 s for reading the whole request including its body `
      + '(a large Penpot upload on a slow link exceeds it), `writeTimeout` 0 (none: long responses and streams are not cut), `idleTimeout` 180 s (an idle keep-alive or WebSocket connection is closed).',
  ];
}

/** The k3s HelmChartConfig that raises Traefik's entrypoint timeouts (and keeps client addresses for the allowlist). */
export function k3sTraefikHelmChartConfig(seconds: number, redirectToHttps: boolean, gatewayApi = false): string {
  const args = ['web', 'websecure'].flatMap((ep) => [
    `--entryPoints.${ep}.transport.respondingTimeouts.readTimeout=${seconds}s`,
    `--entryPoints.${ep}.transport.respondingTimeouts.idleTimeout=${seconds}s`,
  ]);
  if (redirectToHttps) args.push('--entryPoints.web.http.redirections.entryPoint.to=websecure', '--entryPoints.web.http.redirections.entryPoint.scheme=https');
  return [
    '# /var/lib/rancher/k3s/server/manifests/traefik-config.yaml on each server node (k3s merges it into its Traefik HelmChart)',
    'apiVersion: helm.cattle.io/v1',
    'kind: HelmChartConfig',
    'metadata:',
    '  name: traefik',
    '  namespace: kube-system',
    'spec:',
    '  valuesContent: |-',
    '    additionalArguments:',
    ...args.map((a) => `      - "${a}"`),
    ...(gatewayApi ? [
      '    # Traefik\'s Gateway API provider is off by default in its Helm chart (the Gateway API CRDs must be installed too).',
      '    providers:',
      '      kubernetesGateway:',
      '        enabled: true',
    ] : []),
    '    service:',
    '      spec:',
    '        # Keep client addresses (no SNAT to a node): the source allowlist judges them.',
    '        externalTrafficPolicy: Local',
  ].join('\n');
}

function describePods(location: PodLocation | NamespaceGroupLocation): string {
  const labels = Object.entries(location.podLabels).map(([k, v]) => `\`${k}=${v}\``).join(', ') || 'any labels';
  return 'namespaceLabels' in location
    ? `pods with ${labels} in every namespace labelled ${Object.entries(location.namespaceLabels).map(([k, v]) => `\`${k}=${v}\``).join(', ')}`
    : `pods with ${labels} in namespace \`${location.namespace}\``;
}

/** Retirement notice for environments still on ingress-nginx (printed by synth, repeated in ROUTING.md). */
export function routingNotices(env: EnvironmentConfig): string[] {
  if (routingOf(env).controller !== 'ingress-nginx' || ingressHosts(env).length === 0) return [];
  return [`environments.${env.name}: ingress.controller is ingress-nginx, which was retired upstream in March 2026 (no releases or security fixes since). `
    + 'It keeps working; to switch, set ingress.controller: "traefik" (k3s\' packaged Traefik) or "gateway-api" with ingress.gateway, '
    + 'run npm run synth and review dist/' + env.name + '/ROUTING.md (README "Routing").'];
}

export function renderRoutingMarkdown(env: EnvironmentConfig, hosts: readonly RoutedHost[]): string {
  const routing = routingOf(env);
  const lines = [`# Routing of environment \`${env.name}\``, '', 'Generated by `npm run synth`; do not edit.', ''];
  for (const notice of routingNotices(env)) lines.push('> [!WARNING]', `> ${notice}`, '');
  const gateway = routing.gateway;
  lines.push(`Controller: **${routing.controller}**${gateway ? ` (Gateway \`${gateway.namespace}/${gateway.name}\`${gateway.sectionName ? `, listener \`${gateway.sectionName}\`` : ''}, implementation ${gateway.implementation}${gateway.create ? ', created by this project' : ''})` : ''}.`, '');
  if (hosts.length === 0) {
    lines.push('No host is routed: nothing reaches this environment through an ingress controller.', '');
    return lines.join('\n');
  }
  {
    lines.push('| host | URL | kind | objects | backend | body limit at the edge | source allowlist |', '|---|---|---|---|---|---|---|');
    for (const h of hosts) {
      const limit = h.bodyLimitPaths.length === 0 ? 'none (the backend\'s own)'
        : `${h.maxBodySizeBytes} bytes${h.bodyLimitPaths.length < h.paths.length || routing.controller === 'traefik' ? ` on ${h.bodyLimitPaths.map((p) => `\`${p}\``).join(', ')}` : ''}`;
      lines.push(`| \`${h.host}\` | \`${h.url}\` | ${h.kind} | ${h.objects.map((o) => `\`${o}\``).join(', ')} | \`${h.backend.serviceName}:${h.backend.port}\` (${h.namespace}) | ${limit} | ${routing.allowedSourceCidrs.length > 0 ? routing.allowedSourceCidrs.map((c) => `\`${c}\``).join(', ') : 'none'} |`);
    }
    lines.push('');
  }
  const seconds = hosts[0]?.timeoutSeconds ?? 3600;
  lines.push('## Timeouts in effect', '', ...timeoutsInEffect(routing, seconds).map((t) => `- ${t}`), '');
  if (routing.controller === 'traefik' || gateway?.implementation === 'traefik') {
    lines.push('Traefik\'s buffering middleware (its only request-body limit) holds each response until it is complete, so paths whose responses stream '
      + '(MCP hosts, Llama Stack, Penpot\'s `/mcp/`) get no body limit: the backend\'s own limit applies there.', '',
      'To raise the entrypoint timeouts on k3s:', '', '```yaml', k3sTraefikHelmChartConfig(seconds, routing.tlsSecretName !== undefined, routing.controller === 'gateway-api'), '```', '');
  }
  if (gateway) {
    lines.push('## Gateway requirements', '');
    const namespaces = [...new Set(hosts.map((h) => h.namespace))].sort();
    if (gateway.create) {
      lines.push(`This project creates the Gateway (app \`gateway\`); its listeners admit HTTPRoutes of ${namespaces.map((n) => `\`${n}\``).join(', ')} by \`allowedRoutes.namespaces.from: Selector\`.`
        + (routing.tlsSecretName ? ` HTTPS listeners terminate TLS with Secret \`${gateway.namespace}/${routing.tlsSecretName}\` (same namespace: no ReferenceGrant needed).` : ''), '');
    } else {
      lines.push(`The Gateway \`${gateway.namespace}/${gateway.name}\` is yours. HTTPRoutes of another namespace attach only where a listener allows them (Gateway API default: \`from: Same\`): `
        + `give the listener${gateway.sectionName ? ` \`${gateway.sectionName}\`` : 's'} \`allowedRoutes.namespaces\` \`from: All\`, or \`from: Selector\` matching ${namespaces.map((n) => `\`${n}\``).join(', ')}.`, '');
    }
    lines.push('No ReferenceGrant is needed: every backendRef and ExtensionRef names an object of the HTTPRoute\'s own namespace.', '');
  }
  lines.push('## NetworkPolicies', '', `Every routed backend admits exactly ${describePods(env.network.ingressController)} (\`network.ingressController\`), on the backend's port only.`, '',
    'A controller on the host network (hostNetwork: true, e.g. some k3s Traefik or bare-metal ingress setups) is no pod to a NetworkPolicy: its traffic comes from node addresses. '
    + 'The policies above then drop it; this project does not admit node addresses at routed backends (that would admit every process on those nodes), '
    + 'so run the controller\'s data plane as ordinary pods (k3s\' Traefik does by default) and point `network.ingressController` at them.', '');
  return lines.join('\n');
}

/** The routing doc of an environment, from the routed hosts of its App. */
export function routingDocFile(env: EnvironmentConfig, app: import('constructs').Construct): { path: string; content: string } {
  return { path: `${env.name}/${ROUTING_DOC_FILE}`, content: renderRoutingMarkdown(env, RoutedHost.findAll(app)) };
}

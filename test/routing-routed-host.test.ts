import { App, Chart } from 'cdk8s';
import { GatewayChart } from '../lib/routing/gateway-chart';
import { RoutedHost, RoutedHostProps } from '../lib/routing/routed-host';
import { resolveRouting } from '../lib/routing/routing';

type RoutingInput = Parameters<typeof resolveRouting>[0];

const MCP_BACKEND = { serviceName: 'kubernetes-mcp-server', portName: 'http', port: 8080 };
const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** One routed host in a fresh chart; returns the host and the objects it writes. */
function route(routing: Partial<RoutingInput>, props: Partial<RoutedHostProps> = {}) {
  const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
  const host = new RoutedHost(chart, 'ingress', {
    name: 'kubernetes-mcp-server', namespace: 'mcp-system', host: 'mcp.example.internal', path: '/mcp', backend: MCP_BACKEND,
    purpose: 'mcp', maxBodySizeBytes: 10485760, streaming: true,
    ...props,
    routing: resolveRouting({ platform: 'kubernetes', ...routing }),
  });
  const objects = chart.toJson();
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  return { host, objects, of };
}

/** The Penpot host: one frontend backend, `/mcp/` streaming below `/`. */
const penpot = (routing: Partial<RoutingInput>) => route(routing, {
  name: 'penpot', namespace: 'penpot', host: 'penpot.example.internal', path: undefined, purpose: 'web', streaming: false,
  backend: { serviceName: 'penpot-frontend', portName: 'http', port: 8080 }, maxBodySizeBytes: 367001600, streamingPaths: ['/mcp/'],
});

const TRAEFIK_GATEWAY = { name: 'platform', namespace: 'gateway', sectionName: 'websecure', implementation: 'traefik' as const };
const ENVOY_GATEWAY = { name: 'platform', namespace: 'gateway', implementation: 'envoy-gateway' as const };

describe('RoutedHost: ingress-nginx (every environment without ingress.controller)', () => {
  test('keeps the one Ingress with nginx annotations, streaming unbuffered, the main and extra paths in order', () => {
    const { host, of } = route({}, { extraPaths: [{ path: WELL_KNOWN }] });
    expect(host.kind).toBe('Ingress');
    const [ingress] = of('Ingress');
    expect(of('Ingress')).toHaveLength(1);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-body-size': '10485760', 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600', 'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    });
    expect(ingress.spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/mcp', WELL_KNOWN]);
  });

  test('does not split streaming paths (ingress-nginx does not buffer them)', () => {
    const { of } = penpot({});
    expect(of('Ingress').map((i) => i.spec.rules[0].http.paths.map((p: any) => p.path))).toEqual([['/']]);
  });
});

describe('RoutedHost: Traefik Ingress', () => {
  test('uses class traefik, the entrypoints, TLS and no nginx annotation', () => {
    const { host, of } = route({ controller: 'traefik', tlsSecretName: 'tls' });
    const [ingress] = of('Ingress');
    expect(ingress.spec.ingressClassName).toBe('traefik');
    expect(ingress.metadata.annotations['traefik.ingress.kubernetes.io/router.entrypoints']).toBe('websecure');
    expect(ingress.metadata.annotations['traefik.ingress.kubernetes.io/router.tls']).toBe('true');
    expect(Object.keys(ingress.metadata.annotations).filter((k) => k.startsWith('nginx.'))).toEqual([]);
    expect(ingress.spec.tls).toEqual([{ hosts: ['mcp.example.internal'], secretName: 'tls' }]);
    expect(host.url).toBe('https://mcp.example.internal/mcp');
  });

  test('without TLS the routers listen on web and the URL is http', () => {
    const { host, of } = route({ controller: 'traefik' });
    expect(of('Ingress')[0].metadata.annotations['traefik.ingress.kubernetes.io/router.entrypoints']).toBe('web');
    expect(of('Ingress')[0].metadata.annotations['traefik.ingress.kubernetes.io/router.tls']).toBeUndefined();
    expect(host.url).toBe('http://mcp.example.internal/mcp');
  });

  test('the source allowlist is an ipAllowList Middleware the router names as <namespace>-<name>@kubernetescrd', () => {
    const { of } = route({ controller: 'traefik', allowedSourceCidrs: ['10.8.0.0/24'] });
    expect(of('Middleware').map((m) => [m.apiVersion, m.metadata.name, m.spec])).toEqual([
      ['traefik.io/v1alpha1', 'kubernetes-mcp-server-allowlist', { ipAllowList: { sourceRange: ['10.8.0.0/24'] } }],
    ]);
    expect(of('Ingress')[0].metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares']).toBe('mcp-system-kubernetes-mcp-server-allowlist@kubernetescrd');
  });

  test('the body limit is a buffering Middleware, but never on a streaming host (buffering holds whole responses)', () => {
    const streamingHost = route({ controller: 'traefik' });
    expect(streamingHost.of('Middleware')).toEqual([]);
    expect(streamingHost.host.bodyLimitPaths).toEqual([]);
    const api = route({ controller: 'traefik' }, { streaming: false });
    expect(api.of('Middleware').map((m) => m.spec)).toEqual([{ buffering: { maxRequestBodyBytes: 10485760, memRequestBodyBytes: 1048576 } }]);
    expect(api.host.bodyLimitPaths).toEqual(['/mcp']);
  });

  test('Penpot: / gets the body limit, /mcp/ an Ingress of its own with only the allowlist', () => {
    const { of, host } = penpot({ controller: 'traefik', allowedSourceCidrs: ['10.0.0.0/8'] });
    const ingresses = of('Ingress').map((i) => ({
      name: i.metadata.name, paths: i.spec.rules[0].http.paths.map((p: any) => p.path),
      middlewares: i.metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares'],
    }));
    expect(ingresses).toEqual([
      { name: 'penpot', paths: ['/'], middlewares: 'penpot-penpot-allowlist@kubernetescrd,penpot-penpot-body-limit@kubernetescrd' },
      { name: 'penpot-stream', paths: ['/mcp/'], middlewares: 'penpot-penpot-allowlist@kubernetescrd' },
    ]);
    expect(host.bodyLimitPaths).toEqual(['/']);
  });

  test('extra paths are routed too (OAuth protected-resource metadata)', () => {
    const { of } = route({ controller: 'traefik' }, { extraPaths: [{ path: WELL_KNOWN, streaming: false }] });
    expect(of('Ingress').flatMap((i) => i.spec.rules[0].http.paths.map((p: any) => p.path)).sort()).toEqual([WELL_KNOWN, '/mcp'].sort());
  });
});

describe('RoutedHost: Gateway API HTTPRoute', () => {
  test('attaches to the configured Gateway and listener, names the host, the backend by port number, and the stream timeouts', () => {
    const { host, of } = route({ controller: 'gateway-api', gateway: { ...ENVOY_GATEWAY, sectionName: 'https' }, tlsSecretName: 'tls' });
    const [httpRoute] = of('HTTPRoute');
    expect(host.kind).toBe('HTTPRoute');
    expect(httpRoute.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(httpRoute.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'gateway', sectionName: 'https' }]);
    expect(httpRoute.spec.hostnames).toEqual(['mcp.example.internal']);
    expect(httpRoute.spec.rules).toEqual([{
      matches: [{ path: { type: 'PathPrefix', value: '/mcp' } }],
      backendRefs: [{ kind: 'Service', name: 'kubernetes-mcp-server', port: 8080 }],
      timeouts: { request: '3600s', backendRequest: '3600s' },
    }]);
    expect(of('Ingress')).toEqual([]);
  });

  test('routes the identity paths in the same rule when they go to the same backend', () => {
    const { of } = route({ controller: 'gateway-api', gateway: ENVOY_GATEWAY }, { extraPaths: [{ path: WELL_KNOWN, streaming: true }] });
    expect(of('HTTPRoute')[0].spec.rules[0].matches.map((m: any) => m.path.value)).toEqual(['/mcp', WELL_KNOWN]);
  });

  test('with Traefik as implementation, Middlewares are attached as ExtensionRef filters (body limit only on buffered rules)', () => {
    const { of } = penpot({ controller: 'gateway-api', gateway: TRAEFIK_GATEWAY, allowedSourceCidrs: ['10.0.0.0/8'] });
    const rules = of('HTTPRoute')[0].spec.rules.map((r: any) => ({ paths: r.matches.map((m: any) => m.path.value), filters: (r.filters ?? []).map((f: any) => f.extensionRef) }));
    expect(rules).toEqual([
      { paths: ['/'], filters: [{ group: 'traefik.io', kind: 'Middleware', name: 'penpot-allowlist' }, { group: 'traefik.io', kind: 'Middleware', name: 'penpot-body-limit' }] },
      { paths: ['/mcp/'], filters: [{ group: 'traefik.io', kind: 'Middleware', name: 'penpot-allowlist' }] },
    ]);
    expect(of('Middleware').map((m) => m.metadata.name)).toEqual(['penpot-allowlist', 'penpot-body-limit']);
  });

  test('with another implementation, no Middleware, no filter and no body limit at the edge', () => {
    const { of, host } = penpot({ controller: 'gateway-api', gateway: ENVOY_GATEWAY });
    expect(of('Middleware')).toEqual([]);
    expect(of('HTTPRoute')[0].spec.rules.every((r: any) => r.filters === undefined)).toBe(true);
    expect(host.bodyLimitPaths).toEqual([]);
  });

  test('refuses an allowlist the implementation cannot enforce instead of dropping it', () => {
    expect(() => route({ controller: 'gateway-api', gateway: ENVOY_GATEWAY, allowedSourceCidrs: ['10.0.0.0/8'] })).toThrow(/envoy-gateway\) cannot enforce a source allowlist/);
  });
});

describe('GatewayChart (the Gateway this project creates)', () => {
  function gateway(tlsSecretName?: string) {
    const app = new App();
    const scope = new Chart(app, 'apps', { disableResourceNameHashes: true });
    const routing = resolveRouting({ platform: 'kubernetes', controller: 'gateway-api', tlsSecretName, gateway: { ...ENVOY_GATEWAY, create: { gatewayClassName: 'eg' } } });
    const hosts = ['penpot', 'mcp-system', 'penpot'].map((namespace, i) => new RoutedHost(scope, `h${i}`, {
      name: `h${i}`, namespace, host: `h${i}.example.internal`, backend: MCP_BACKEND, purpose: 'web', maxBodySizeBytes: 1, routing,
    }));
    return new GatewayChart(app, 'gateway', { routing, hosts }).toJson();
  }

  test('one HTTPS listener with the TLS Secret, admitting exactly the namespaces that hold routed hosts', () => {
    const gw = gateway('tls').find((o) => o.kind === 'Gateway');
    expect(gw.metadata).toMatchObject({ name: 'platform', namespace: 'gateway' });
    expect(gw.spec.gatewayClassName).toBe('eg');
    expect(gw.spec.listeners).toEqual([{
      name: 'https', protocol: 'HTTPS', port: 443,
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'tls' }] },
      allowedRoutes: {
        kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
        namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['mcp-system', 'penpot'] }] } },
      },
    }]);
  });

  test('without a TLS Secret, one plain HTTP listener', () => {
    const gw = gateway().find((o) => o.kind === 'Gateway');
    expect(gw.spec.listeners.map((l: any) => [l.name, l.protocol, l.port, l.tls])).toEqual([['http', 'HTTP', 80, undefined]]);
  });

  test('creates the Gateway\'s namespace', () => {
    expect(gateway().map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/gateway', 'Gateway/platform']);
  });
});

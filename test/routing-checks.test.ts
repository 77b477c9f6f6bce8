/**
 * The routing checks over the committed dist/: each passes on what synth wrote and fails on a
 * deliberately broken copy of a real route (one change per test).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import {
  checkClientUrlsRouted, checkHttpRouteBackends, checkHttpRouteParents, checkSchemas, checkTraefikMiddlewareRefs, checkUniqueHosts, Finding,
  loadDist, ManifestObject, runAllChecks,
} from '../lib/checks';
import { ENVIRONMENTS } from '../lib/environments';

const ROOT = path.resolve(__dirname, '..');
const dist = loadDist(ROOT);
const ENV_NAMES = ENVIRONMENTS.map((e) => e.name);
const ROUTING_IDS = /^wiring\/(httproute-|traefik-middleware|unique-host|client-url-routed|route-backend|ingress-backend)|^schema\//;

/** A deep copy of the dist objects, with `change` applied to the object of that env, kind and name. */
function broken(env: string, kind: string, name: string, change: (doc: any) => void): ManifestObject[] {
  let found = false;
  const out = dist.objects.map((m) => {
    if (m.env !== env || m.doc?.kind !== kind || m.doc?.metadata?.name !== name) return m;
    found = true;
    const doc = structuredClone(m.doc);
    change(doc);
    return { ...m, doc };
  });
  if (!found) throw new Error(`no ${kind} ${name} in ${env}`);
  return out;
}
const ids = (findings: readonly Finding[]) => findings.map((f) => f.check);
const only = (findings: readonly Finding[], check: string) => findings.filter((f) => f.check === check);

test('every environment\'s routing objects pass the schema and wiring checks', () => {
  expect(runAllChecks(dist).filter((f) => ROUTING_IDS.test(f.check))).toEqual([]);
  // Each routing kind is present in dist/ (and so checked in CI).
  const kinds = new Set(dist.objects.map((o) => `${o.doc?.apiVersion} ${o.doc?.kind}`));
  for (const k of ['networking.k8s.io/v1 Ingress', 'route.openshift.io/v1 Route', 'gateway.networking.k8s.io/v1 HTTPRoute', 'gateway.networking.k8s.io/v1 Gateway', 'traefik.io/v1alpha1 Middleware']) {
    expect(kinds).toContain(k);
  }
});

describe('schema checks of the routing kinds', () => {
  test('an HTTPRoute field the API server would prune (timeout for timeouts) is reported', () => {
    const objects = broken('example', 'HTTPRoute', 'penpot', (d) => { d.spec.rules[0].timeout = d.spec.rules[0].timeouts; delete d.spec.rules[0].timeouts; });
    expect(checkSchemas(objects.filter((o) => o.doc.kind === 'HTTPRoute'))).toEqual([expect.objectContaining({
      check: 'schema/invalid', object: 'HTTPRoute penpot/penpot', message: expect.stringMatching(/unknown field "timeout"/),
    })]);
  });

  test('a timeout that is no Gateway API duration is reported', () => {
    const objects = broken('example', 'HTTPRoute', 'penpot', (d) => { d.spec.rules[0].timeouts.request = '1 hour'; });
    expect(ids(checkSchemas(objects.filter((o) => o.doc.kind === 'HTTPRoute')))).toEqual(['schema/invalid']);
  });

  test('a Gateway listener with an unknown field is reported', () => {
    const objects = broken('example', 'Gateway', 'platform', (d) => { d.spec.listeners[0].hostnames = ['x']; });
    expect(checkSchemas(objects.filter((o) => o.doc.kind === 'Gateway'))).toEqual([expect.objectContaining({ message: expect.stringMatching(/unknown field "hostnames"/) })]);
  });

  test('a Middleware with a misspelt type or field is reported against Traefik\'s CRD schema', () => {
    const mw = (objects: ManifestObject[]) => checkSchemas(objects.filter((o) => o.doc.kind === 'Middleware' && o.env === 'k3s'));
    expect(mw(broken('k3s', 'Middleware', 'penpot-allowlist', (d) => { d.spec.ipAllowlist = d.spec.ipAllowList; delete d.spec.ipAllowList; })))
      .toEqual([expect.objectContaining({ message: expect.stringMatching(/unknown field "ipAllowlist"/) })]);
    expect(mw(broken('k3s', 'Middleware', 'penpot-body-limit', (d) => { d.spec.buffering.maxRequestBodySize = 1; })))
      .toEqual([expect.objectContaining({ message: expect.stringMatching(/unknown field "maxRequestBodySize"/) })]);
    expect(mw(broken('k3s', 'Middleware', 'penpot-body-limit', (d) => { d.spec.buffering.maxRequestBodyBytes = '350Mi'; }))).toHaveLength(1);
  });
});

describe('wiring/httproute-backend', () => {
  test('a backend Service that does not exist', () => {
    const f = checkHttpRouteBackends(broken('example', 'HTTPRoute', 'penpot', (d) => { d.spec.rules[0].backendRefs[0].name = 'penpot-web'; }));
    expect(f).toEqual([expect.objectContaining({ check: 'wiring/httproute-backend', field: 'spec.rules[0].backendRefs[0].name' })]);
  });

  test('a port number the Service does not have (backendRefs cannot name ports)', () => {
    const f = checkHttpRouteBackends(broken('example', 'HTTPRoute', 'kubernetes-mcp-server', (d) => { d.spec.rules[0].backendRefs[0].port = 8686; }));
    expect(f).toEqual([expect.objectContaining({ field: 'spec.rules[0].backendRefs[0].port', message: expect.stringMatching(/8686 is not a port number of Service mcp-system\/kubernetes-mcp-server/) })]);
  });

  test('a Service port whose target no selected pod declares', () => {
    const objects = broken('example', 'Service', 'llama-stack', (d) => { d.spec.ports[0].targetPort = 'api'; });
    expect(only(checkHttpRouteBackends(objects), 'wiring/httproute-backend')).toEqual([expect.objectContaining({ message: expect.stringMatching(/targets 'api'/) })]);
  });

  test('a backend in another namespace without a ReferenceGrant', () => {
    const f = checkHttpRouteBackends(broken('example', 'HTTPRoute', 'penpot', (d) => { d.spec.rules[0].backendRefs[0].namespace = 'mcp-system'; }));
    expect(f).toEqual([expect.objectContaining({ field: 'spec.rules[0].backendRefs[0].namespace', message: expect.stringMatching(/no ReferenceGrant/) })]);
  });
});

describe('wiring/httproute-parent', () => {
  test('a sectionName the created Gateway has no listener for', () => {
    const f = checkHttpRouteParents(broken('example', 'HTTPRoute', 'penpot', (d) => { d.spec.parentRefs[0].sectionName = 'http'; }));
    expect(f).toEqual([expect.objectContaining({ check: 'wiring/httproute-parent', message: "sectionName 'http' is not a listener of Gateway gateway/platform" })]);
  });

  test('a namespace the Gateway\'s allowedRoutes does not admit', () => {
    const objects = broken('example', 'Gateway', 'platform', (d) => { d.spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].values = ['penpot']; });
    expect(checkHttpRouteParents(objects).map((f) => f.object).sort()).toEqual(['HTTPRoute llama-stack/llama-stack', 'HTTPRoute mcp-system/kubernetes-mcp-server']);
  });
});

describe('wiring/traefik-middleware', () => {
  test('an Ingress naming a Middleware that does not exist', () => {
    const objects = dist.objects.filter((o) => !(o.env === 'k3s' && o.doc.kind === 'Middleware' && o.doc.metadata.name === 'penpot-body-limit'));
    expect(checkTraefikMiddlewareRefs(objects)).toEqual([expect.objectContaining({ object: 'Ingress penpot/penpot', message: expect.stringMatching(/penpot-penpot-body-limit@kubernetescrd/) })]);
  });

  test('a name without the namespace prefix the CRD provider expects', () => {
    const objects = broken('k3s', 'Ingress', 'penpot-stream', (d) => { d.metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares'] = 'penpot-allowlist@kubernetescrd'; });
    expect(ids(checkTraefikMiddlewareRefs(objects))).toEqual(['wiring/traefik-middleware']);
  });

  test('an HTTPRoute ExtensionRef to a Middleware that does not exist', () => {
    const objects = broken('example', 'HTTPRoute', 'penpot', (d) => {
      d.spec.rules[0].filters = [{ type: 'ExtensionRef', extensionRef: { group: 'traefik.io', kind: 'Middleware', name: 'penpot-allowlist' } }];
    });
    expect(checkTraefikMiddlewareRefs(objects)).toEqual([expect.objectContaining({ field: 'spec.rules[0].filters[0].extensionRef.name' })]);
  });
});

describe('wiring/unique-host', () => {
  test('one host claimed by an Ingress and an HTTPRoute (two routing kinds)', () => {
    const k3sIngress = dist.objects.find((o) => o.env === 'k3s' && o.doc.kind === 'Ingress' && o.doc.metadata.name === 'penpot')!;
    const route = { ...structuredClone(dist.objects.find((o) => o.env === 'example' && o.doc.kind === 'HTTPRoute')!), env: 'k3s' };
    route.doc.spec.hostnames = [k3sIngress.doc.spec.rules[0].host];
    expect(checkUniqueHosts([...dist.objects, route])).toEqual([expect.objectContaining({ check: 'wiring/unique-host', message: "host 'penpot.k3s.example.internal' is already claimed by Ingress penpot/penpot" })]);
  });

  test('one host claimed from two namespaces', () => {
    const objects = broken('k3s', 'Ingress', 'kubernetes-mcp-server', (d) => { d.spec.rules[0].host = 'penpot.k3s.example.internal'; });
    const findings = checkUniqueHosts(objects);
    // Every object of the other namespace that claims it is named (Penpot's host has two Ingresses).
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.check === 'wiring/unique-host' && /host 'penpot.k3s.example.internal' is already claimed by Ingress (penpot|mcp-system)\//.test(f.message))).toBe(true);
  });

  test('the same host and path claimed twice', () => {
    const objects = broken('k3s', 'Ingress', 'penpot-stream', (d) => { d.spec.rules[0].http.paths[0].path = '/'; });
    expect(checkUniqueHosts(objects)).toEqual([expect.objectContaining({ message: expect.stringMatching(/path '\/' is already claimed by Ingress penpot\/penpot/) })]);
  });

  test('Penpot\'s two Traefik Ingresses of one host (one namespace, disjoint paths) are one claim', () => {
    expect(checkUniqueHosts(dist.objects.filter((o) => o.env === 'k3s'))).toEqual([]);
  });
});

/** The host URLs users are told to use: CONNECT.md tables and every mcp-clients file. */
function clientUrls(env: string): { source: string; url: string }[] {
  const dir = path.join(ROOT, 'dist', env);
  const urls: { source: string; url: string }[] = [];
  const connect = fs.readFileSync(path.join(dir, 'CONNECT.md'), 'utf8');
  // The rows of the "reached from" tables that go through a routed host (dedicated host, same origin as Penpot).
  for (const m of connect.matchAll(/^\| (?:dedicated host|same origin)[^|]*\| `(https?:\/\/[^`\s]+)` \|$/gm)) urls.push({ source: `dist/${env}/CONNECT.md`, url: m[1] });
  const clients = path.join(dir, 'mcp-clients');
  if (fs.existsSync(clients)) {
    const codex = parseToml(fs.readFileSync(path.join(clients, 'codex-config.toml'), 'utf8')) as any;
    const claude = JSON.parse(fs.readFileSync(path.join(clients, 'claude-mcp.json'), 'utf8'));
    const inspector = JSON.parse(fs.readFileSync(path.join(clients, 'inspector-config.json'), 'utf8'));
    for (const s of [...Object.values<any>(codex.mcp_servers), ...Object.values<any>(claude.mcpServers), ...Object.values<any>(inspector.mcpServers)]) {
      urls.push({ source: `dist/${env}/mcp-clients`, url: s.url });
    }
  }
  // Client configs may also point at a node address or an in-cluster Service: those are not routed by a controller.
  return urls.filter(({ url }) => !url.includes('<NODE_IP>') && !/^http:\/\/[a-z0-9-]+\.[a-z0-9-]+:\d+\//.test(url));
}

describe('wiring/client-url-routed: CONNECT.md and mcp-clients/ follow the route', () => {
  test.each(ENV_NAMES)('%s: every host URL is routed over its scheme', (env) => {
    expect(checkClientUrlsRouted(dist.objects, env, clientUrls(env))).toEqual([]);
  });

  test('the dedicated MCP hosts of every routing kind are among the URLs checked', () => {
    const hosts = ENV_NAMES.flatMap((env) => clientUrls(env).map((u) => new URL(u.url).hostname));
    for (const host of ['penpot-mcp.finalq.xyz', 'k8s-mcp.example.internal', 'kubernetes-mcp.apps.ocp.example.internal', 'kubernetes-mcp.k3s.example.internal']) expect(hosts).toContain(host);
  });

  test('a URL whose route was removed, moved to another path, or served over the other scheme fails', () => {
    const urls = clientUrls('k3s');
    const mcp = urls.find((u) => u.url.includes('kubernetes-mcp.k3s'))!;
    const gone = dist.objects.filter((o) => !(o.env === 'k3s' && o.doc.kind === 'Ingress' && o.doc.metadata.name === 'kubernetes-mcp-server'));
    expect(checkClientUrlsRouted(gone, 'k3s', [mcp])).toEqual([expect.objectContaining({ message: expect.stringMatching(/no Ingress, Route or HTTPRoute .* claims host/) })]);
    const moved = broken('k3s', 'Ingress', 'kubernetes-mcp-server', (d) => { d.spec.rules[0].http.paths[0].path = '/api'; });
    expect(checkClientUrlsRouted(moved, 'k3s', [mcp])).toEqual([expect.objectContaining({ message: expect.stringMatching(/path '\/mcp' is not routed/) })]);
    const plain = broken('k3s', 'Ingress', 'kubernetes-mcp-server', (d) => { delete d.spec.tls; });
    expect(checkClientUrlsRouted(plain, 'k3s', [mcp])).toEqual([expect.objectContaining({ message: expect.stringMatching(/serves this host over http, the URL says https/) })]);
  });

  test('a URL routed to another Service than the endpoint\'s fails', () => {
    const url = clientUrls('example').find((u) => u.url.includes('k8s-mcp'))!;
    expect(checkClientUrlsRouted(dist.objects, 'example', [{ ...url, service: 'penpot-mcp' }]))
      .toEqual([expect.objectContaining({ message: expect.stringMatching(/routed to Service 'kubernetes-mcp-server'/) })]);
  });
});

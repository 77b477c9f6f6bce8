/**
 * The committed OpenShift environment (dist/openshift): exposed only through edge Routes, ids
 * left to the restricted-v2 SCC with everything else still restricted, NetworkPolicies aimed at
 * OpenShift's router, DNS and API server, and the same checks and policy as every environment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { parse as parseToml } from 'smol-toml';
import { checkRouteBackends, formatFindings, loadDist, ManifestObject, runAllChecks } from '../lib/checks';
import { canConnect, canReachAddress, PodTemplate, podTemplates } from '../lib/checks/network-eval';
import { resolveEnvironments } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { RoutedHost } from '../lib/routing/routed-host';
import { resolveRouting } from '../lib/routing/routing';
import { buildEnvironment } from '../lib/platform';
import { formatPolicyTable, runPolicy } from '../lib/policy/run';
import { allContainers } from './support/objects';
import { environmentNames } from './support/configured';

const ROOT = path.resolve(__dirname, '..');
const dist = loadDist(ROOT);
const ENV = 'openshift';
const objects = dist.objects.filter((o) => o.env === ENV);
const docs = objects.map((o) => o.doc);
const config = resolveEnvironments(ENVIRONMENTS).find((e) => e.name === ENV)!;

/** Every key path in a document whose last segment is `key`. */
function pathsOf(value: unknown, key: string, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsOf(v, key, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(k === key ? [`${at}.${k}`] : []), ...pathsOf(v, key, `${at}.${k}`)]);
}

describe('dist/openshift exposure', () => {
  const allRoutes = docs.filter((d) => d.kind === 'Route');
  const routes = allRoutes.filter((d) => d.metadata.namespace === 'mcp-system');

  test('has no Ingress and no NodePort Service', () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(docs.filter((d) => d.kind === 'Ingress')).toEqual([]);
    expect(docs.filter((d) => d.kind === 'Service' && d.spec.type !== 'ClusterIP').map((d) => d.metadata.name)).toEqual([]);
  });

  test('the Kubernetes MCP server is reached through one Route on the configured host, TLS edge with http redirected', () => {
    // Besides Llama Stack's own Route (seed 002), in its namespace.
    expect(allRoutes.map((r) => r.metadata.namespace)).toEqual(['llama-stack', 'mcp-system']);
    expect(routes).toHaveLength(1);
    expect(routes[0].apiVersion).toBe('route.openshift.io/v1');
    expect(routes[0].spec).toMatchObject({
      host: config.kubernetesMcp.ingressHost,
      path: '/mcp',
      to: { kind: 'Service', name: 'kubernetes-mcp-server' },
      port: { targetPort: 'http' },
      tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' },
    });
    expect(routes[0].spec.tls.certificate).toBeUndefined();
  });

  test('every Route targets an existing Service of its namespace and a port of that Service', () => {
    expect(checkRouteBackends(objects)).toEqual([]);
    for (const r of routes) {
      const svc = docs.find((d) => d.kind === 'Service' && d.metadata.namespace === r.metadata.namespace && d.metadata.name === r.spec.to.name);
      expect(svc).toBeDefined();
      expect(svc.spec.ports.map((p: any) => p.name)).toContain(r.spec.port.targetPort);
    }
  });

  test('the route timeout outlasts MCP streams (the router cuts at 30 s by default)', () => {
    expect(routes[0].metadata.annotations['haproxy.router.openshift.io/timeout']).toBe('3600s');
  });

  test('CONNECT.md and every client config give the https Route URL', () => {
    const url = `https://${config.kubernetesMcp.ingressHost}/mcp`;
    const connect = fs.readFileSync(path.join(ROOT, 'dist', ENV, 'CONNECT.md'), 'utf8');
    expect(connect).toContain(`| dedicated host (OpenShift Route, TLS at the router) | \`${url}\` |`);
    const dir = path.join(ROOT, 'dist', ENV, 'mcp-clients');
    expect((parseToml(fs.readFileSync(path.join(dir, 'codex-config.toml'), 'utf8')) as any).mcp_servers.kubernetes.url).toBe(url);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'claude-mcp.json'), 'utf8')).mcpServers.kubernetes.url).toBe(url);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'inspector-config.json'), 'utf8')).mcpServers.kubernetes.url).toBe(url);
  });
});

describe('dist/openshift security contexts', () => {
  const containers = allContainers(docs);

  test('no object pins runAsUser, runAsGroup or fsGroup: the restricted-v2 SCC assigns them', () => {
    expect(containers.length).toBeGreaterThan(0);
    for (const key of ['runAsUser', 'runAsGroup', 'fsGroup']) expect(docs.flatMap((d) => pathsOf(d, key))).toEqual([]);
  });

  test('the same environment on plain Kubernetes pins the image user 65532 (the switch is the platform alone)', () => {
    const input = ENVIRONMENTS.find((e) => e.name === ENV)!;
    // Off OpenShift, alerts need the labels a Prometheus ruleSelector matches (OpenShift's monitoring reads every rule).
    const [k8s] = resolveEnvironments([{ ...input, cluster: { platform: 'kubernetes' }, monitoring: { prometheusRules: { labels: { release: 'kps' } } } }]);
    expect(k8s.cluster.platform).toBe('kubernetes');
    const built = buildEnvironment(k8s).apps.flatMap((a) => a.chart.toJson());
    const deployment = built.find((d: any) => d.kind === 'Deployment' && d.metadata.name === 'kubernetes-mcp-server');
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 });
  });

  test.each(['runAsNonRoot', 'allowPrivilegeEscalation', 'capabilities', 'seccompProfile'])('every container still has %s restricted', (control) => {
    for (const { owner, container } of containers) {
      const pod = docs.find((d) => `${d.kind}/${d.metadata.name}` === owner).spec.template.spec.securityContext;
      const sc = container.securityContext ?? {};
      const effective = {
        runAsNonRoot: sc.runAsNonRoot ?? pod.runAsNonRoot,
        allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
        capabilities: sc.capabilities?.drop,
        seccompProfile: (sc.seccompProfile ?? pod.seccompProfile)?.type,
      }[control];
      const expected = { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: ['ALL'], seccompProfile: 'RuntimeDefault' }[control];
      expect({ owner, container: container.name, [control]: effective }).toEqual({ owner, container: container.name, [control]: expected });
    }
  });

  test('the Kubernetes MCP server keeps its read-only root filesystem', () => {
    const server = containers.find((c) => c.container.name === 'kubernetes-mcp-server')!;
    expect(server.container.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('the namespace says its ids are assigned by the SCC; k3s namespaces do not', () => {
    const annotations = (env: string) => dist.objects.filter((o) => o.env === env && o.doc.kind === 'Namespace').map((o) => o.doc.metadata.annotations);
    expect(annotations(ENV).length).toBeGreaterThan(1);
    for (const a of annotations(ENV)) expect(a).toEqual(expect.objectContaining({ 'penpot-mcp-platform/uids': 'assigned-by-scc' }));
    for (const env of environmentNames((e) => e.cluster.platform !== 'openshift')) {
      for (const a of annotations(env)) expect(a['penpot-mcp-platform/uids']).toBeUndefined();
    }
  });
});

describe('dist/openshift checks and policy', () => {
  test('passes every schema, wiring and Penpot check with zero findings', () => {
    expect(formatFindings(runAllChecks({ objects, contracts: dist.contracts, dirs: dist.dirs }))).toBe('');
  });

  test('passes the policy suite with zero failures', () => {
    const report = runPolicy(dist, undefined, { envs: [ENV] });
    expect(report.envs).toEqual([ENV]);
    expect(report.counts.failed === 0 ? '' : formatPolicyTable(report)).toBe('');
    expect(report.results.filter((r) => r.check === 'rbac/write-access' && r.status === 'passed').length).toBeGreaterThan(0);
  });

  test('the Route is validated against the Route schema (a typo in it fails)', () => {
    const route = objects.find((o) => o.doc.kind === 'Route')!;
    const broken: ManifestObject = { ...route, doc: { ...route.doc, spec: { ...route.doc.spec, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect', terminaton: 'edge' } } } };
    const findings = runAllChecks({ objects: [...objects.filter((o) => o !== route), broken], contracts: dist.contracts, dirs: dist.dirs });
    expect(formatFindings(findings)).toMatch(/unknown field "terminaton"[\s\S]*schema\/invalid/);
  });
});

describe('dist/openshift NetworkPolicies', () => {
  const pods = podTemplates(objects);
  const server = pods.find((p) => p.owner === 'Deployment/kubernetes-mcp-server')!;
  // Namespaces the cluster brings, labelled as OpenShift labels them.
  const cluster: ManifestObject[] = [
    { file: 'cluster', env: ENV, doc: { kind: 'Namespace', metadata: { name: 'openshift-ingress', labels: { 'network.openshift.io/policy-group': 'ingress' } } } },
    { file: 'cluster', env: ENV, doc: { kind: 'Namespace', metadata: { name: 'some-app', labels: {} } } },
  ];
  const all = [...objects, ...cluster];
  const router: PodTemplate = { env: ENV, namespace: 'openshift-ingress', owner: 'Deployment/router-default', labels: { 'ingresscontroller.operator.openshift.io/deployment-ingresscontroller': 'default' }, ports: [] };
  const stranger: PodTemplate = { ...router, namespace: 'some-app', owner: 'Pod/curl' };
  const dnsPod: PodTemplate = {
    env: ENV, namespace: 'openshift-dns', owner: 'DaemonSet/dns-default', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
    ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 5353, protocol: 'TCP' }],
  };

  test('the router (namespace policy group "ingress") reaches the server on its port; other namespaces do not', () => {
    expect(canConnect(all, router, server, 8080)).toBe(true);
    expect(canConnect(all, stranger, server, 8080)).toBe(false);
    expect(canConnect(all, router, server, 9090)).toBe(false);
  });

  test('pods resolve names at openshift-dns on 5353 (the port after the Service maps 53), not at kube-system', () => {
    expect(canConnect(all, server, dnsPod, 5353, 'UDP')).toBe(true);
    expect(canConnect(all, server, dnsPod, 5353, 'TCP')).toBe(true);
    const coredns: PodTemplate = { ...dnsPod, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
    expect(canConnect(all, server, coredns, 5353, 'UDP')).toBe(false);
  });

  test('the server reaches the API server on 6443 (kube-apiserver behind the kubernetes Service) and nothing else outside', () => {
    expect(canReachAddress(all, server, '10.0.0.10', 6443)).toBe(true);
    expect(canReachAddress(all, server, '10.0.0.10', 80)).toBe(false);
  });
});

describe('RoutedHost with the OpenShift router', () => {
  test('emits one edge Route per path, named after the host (suffixed when there are several), and no Ingress', () => {
    const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
    const routed = new RoutedHost(chart, 'ingress', {
      name: 'site', namespace: 'web', host: 'a.apps.example.com', purpose: 'web', maxBodySizeBytes: 1, streamTimeoutSeconds: 120,
      backend: { serviceName: 'web', portName: 'http', port: 80 },
      extraPaths: [{ path: '/api', backend: { serviceName: 'api', portName: 'http', port: 80 } }],
      routing: resolveRouting({ platform: 'openshift' }),
    });
    const out = chart.toJson();
    expect(routed.kind).toBe('Route');
    expect(routed.url).toBe('https://a.apps.example.com');
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Route/site-0', 'Route/site-1']);
    expect(out[1].spec).toMatchObject({ host: 'a.apps.example.com', path: '/api', to: { name: 'api' } });
    expect(out[0].spec.path).toBeUndefined();
    expect(out[0].metadata.annotations).toEqual({ 'haproxy.router.openshift.io/timeout': '120s' });
  });
});

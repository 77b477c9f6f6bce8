/**
 * What Prometheus scrapes, when monitoring is on: the Kubernetes MCP server's own metrics on its
 * `metrics_port` (proven with the real 0.0.67 binary started from the dist/ manifests) and Penpot
 * 2.17's backend metrics (GET /metrics on its HTTP port: backend/src/app/metrics.clj `::routes`,
 * mounted by app/http.clj's router at 2.17.0; no stand-in can prove it answers, only the real
 * backend). ServiceMonitors select exactly their Service and port; only Prometheus pods get in.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { checkSchemas, labelsMatch, loadDist } from '../lib/checks';
import { canConnect, podTemplates } from '../lib/checks/network-eval';
import { freePort, RunningServer, startServerFromManifests } from './support/kubernetes-mcp-server';

jest.setTimeout(60_000);
const dist = loadDist(path.resolve(__dirname, '..'));
const monitors = dist.objects.filter((o) => o.doc.kind === 'ServiceMonitor');
const withRules = [...new Set(dist.objects.filter((o) => o.doc.kind === 'PrometheusRule').map((o) => o.env))].sort();

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('ServiceMonitors exist exactly where monitoring is on', () => {
  expect([...new Set(monitors.map((m) => m.env))].sort()).toEqual(withRules);
  expect(checkSchemas(monitors)).toEqual([]);
});

describe.each(monitors.map((m) => [`${m.env} ${m.doc.metadata.namespace}/${m.doc.metadata.name}`, m] as const))('%s', (_n, monitor) => {
  const env = monitor.env;
  const ns = monitor.doc.metadata.namespace;
  const services = dist.objects.filter((o) => o.env === env && o.doc.kind === 'Service' && o.doc.metadata.namespace === ns
    && labelsMatch(monitor.doc.spec.selector, o.doc.metadata.labels ?? {}));
  const rule = dist.objects.find((o) => o.env === env && o.doc.kind === 'PrometheusRule')!.doc;

  test('selects one Service whose named port exists, carries the rule labels, and only Prometheus pods may reach that port', () => {
    expect(services.map((s) => s.doc.metadata.name)).toHaveLength(1);
    const svc = services[0].doc;
    const port = svc.spec.ports.find((p: any) => p.name === monitor.doc.spec.endpoints[0].port);
    expect(port).toBeDefined();
    const selectorLabels = Object.fromEntries(Object.entries(rule.metadata.labels).filter(([k]) => !k.startsWith('app.kubernetes.io/')));
    expect(monitor.doc.metadata.labels).toMatchObject(selectorLabels);
    const pods = podTemplates(dist.objects).filter((p) => p.env === env);
    const target = pods.find((p) => p.namespace === ns && labelsMatch({ matchLabels: svc.spec.selector }, p.labels))!;
    const containerPort = target.ports.find((p) => p.name === (typeof port.targetPort === 'string' ? port.targetPort : undefined) || p.containerPort === port.targetPort || p.containerPort === port.port)!.containerPort;
    const prometheus = { env, owner: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [] } as any;
    const promNs = env === 'openshift' ? 'openshift-user-workload-monitoring' : 'monitoring';
    expect(canConnect(dist.objects, { ...prometheus, namespace: promNs }, target, containerPort)).toBe(true);
    expect(canConnect(dist.objects, { ...prometheus, namespace: promNs, labels: { 'app.kubernetes.io/name': 'grafana' } }, target, containerPort)).toBe(false);
  });
});

const mcpServers = dist.objects.filter((o) => o.doc.kind === 'Deployment' && o.doc.metadata.name === 'kubernetes-mcp-server' && withRules.includes(o.env));
describe.each(mcpServers.map((d) => [d.env, d] as const))('dist/%s Kubernetes MCP server metrics, real binary', (env, deployment) => {
  let server: RunningServer;
  afterAll(async () => server?.stop());

  test('serves /metrics on the metrics_port of its TOML (the ServiceMonitor\'s port), not on the MCP port', async () => {
    const configMaps = dist.objects.filter((o) => o.env === env && o.doc.kind === 'ConfigMap').map((o) => o.doc);
    server = await startServerFromManifests({ deployment: deployment.doc, configMaps, portOverride: await freePort() });
    const declared = deployment.doc.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'metrics').containerPort;
    expect(server.notes).toContain(`metrics_port ${declared} -> ${server.metricsPort} (free port)`);
    let metrics = { status: 0, body: '' };
    for (let i = 0; i < 50 && metrics.status !== 200; i++) {
      metrics = await get(`http://127.0.0.1:${server.metricsPort}/metrics`).catch(() => ({ status: 0, body: '' }));
      if (metrics.status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^k8s_mcp_server_info\{/m);
    // Not on the MCP port: 404 without auth, 401 where require_oauth guards every path but /healthz (upstream.md 2b).
    expect([401, 404]).toContain((await get(server.url('/metrics'))).status);
    expect((await get(server.url('/metrics'))).body).not.toMatch(/k8s_mcp_server_info/);
  });
});

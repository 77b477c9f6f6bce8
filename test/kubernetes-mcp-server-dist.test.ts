/**
 * The real kubernetes-mcp-server 0.0.67 binary started with exactly the Deployment args and the
 * ConfigMap TOML that dist/ deploys, per environment. The declared port (8080) may be busy on a
 * test machine, so the harness moves that one value (TOML `port`) to a free loopback port and
 * records it in `notes`; nothing else of the manifest changes.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { loadDist } from '../lib/checks';
import { environmentNames } from './support/configured';
import { freePort, mcpClient, RunningServer, startServerFromManifests } from './support/kubernetes-mcp-server';

const dist = loadDist(path.resolve(__dirname, '..'));
const servers = dist.objects.filter((o) => o.doc.kind === 'Deployment' && o.doc.metadata.name === 'kubernetes-mcp-server');
const configMapsOf = (env: string) => dist.objects.filter((o) => o.env === env && o.doc.kind === 'ConfigMap').map((o) => o.doc);

function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.setTimeout(5000, () => req.destroy(new Error(`timeout GET ${url}`)));
    req.on('error', reject);
  });
}

test('every environment with a Kubernetes MCP server is covered', () => {
  expect(servers.map((s) => s.env).sort()).toEqual(environmentNames((e) => e.kubernetesMcp.enabled));
});

describe.each(servers.map((s) => [s.env, s.doc] as const))('dist/%s Kubernetes MCP server, run for real', (env, deployment) => {
  let server: RunningServer;
  const container = deployment.spec.template.spec.containers[0];

  beforeAll(async () => {
    server = await startServerFromManifests({ deployment, configMaps: configMapsOf(env), portOverride: await freePort() });
  });
  afterAll(async () => server?.stop());

  test('listens on the declared containerPort (moved only through the single declared value)', () => {
    // One MCP port; with monitoring on, a second one for metrics_port (test/prometheus-scrape.test.ts).
    expect(container.ports.map((p: any) => p.name).filter((n: string) => n !== 'metrics')).toEqual(['http']);
    expect(server.notes.join('\n')).toMatch(new RegExp(`${container.ports[0].containerPort}`));
    expect(server.port).not.toBe(container.ports[0].containerPort);
  });

  test('answers 200 on its readiness and liveness probe paths', async () => {
    expect(await httpGet(server.url(container.readinessProbe.httpGet.path))).toBe(200);
    expect(await httpGet(server.url(container.livenessProbe.httpGet.path))).toBe(200);
  });

  test('an MCP SDK client initializes over /mcp and sees only read-only tools, without configuration_view', async () => {
    // Every environment requires a token (kubernetesMcp.auth); initialize and tools/list accept any (test/kubernetes-mcp-server-auth.test.ts).
    const client = await mcpClient(server.url('/mcp'), 10000, 'any-reader-token');
    try {
      expect(client.getServerVersion()?.name).toBeDefined();
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(5);
      expect(tools.filter((t) => t.annotations?.readOnlyHint !== true).map((t) => t.name)).toEqual([]);
      expect(tools.map((t) => t.name)).not.toContain('configuration_view');
    } finally {
      await client.close();
    }
  });
});

test('the check fails when the args disagree with the ConfigMap on the port', async () => {
  const { env, doc } = servers[0];
  const broken = JSON.parse(JSON.stringify(doc));
  const other = await freePort();
  broken.spec.template.spec.containers[0].args.push('--port', String(other));
  await expect(startServerFromManifests({ deployment: broken, configMaps: configMapsOf(env), portOverride: await freePort(), waitMs: 3000 }))
    .rejects.toThrow(new RegExp(`${other}`));
});

/**
 * The real kubernetes-mcp-server v0.0.67 binary, started with exactly the args and ConfigMap files of a
 * Deployment. The fixture is hand-written in the shape the construct synthesizes. Every run picks a free
 * loopback port through `portOverride` (the harness rewrites the single declared port value 8686 and says so
 * in `notes`), so a busy 8686 on the machine never matters.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { freePort, mcpClient, RunningServer, startServerFromManifests } from './support/kubernetes-mcp-server';

const CONTAINER_PORT = 8686;

const TOML = `port = "${CONTAINER_PORT}"
read_only = true
toolsets = ["core", "config"]
disabled_tools = ["configuration_view"]
list_output = "table"

[[denied_resources]]
group = ""
version = "v1"
kind = "Secret"
`;

function configMap(toml: string): any {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubernetes-mcp-server', namespace: 'mcp' }, data: { 'config.toml': toml } };
}

function deployment(extraArgs: string[] = []): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'kubernetes-mcp-server', namespace: 'mcp' },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'kubernetes-mcp-server' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'kubernetes-mcp-server' } },
        spec: {
          containers: [{
            name: 'kubernetes-mcp-server',
            image: 'quay.io/containers/kubernetes_mcp_server:v0.0.67',
            args: ['--config', '/etc/kubernetes-mcp-server/config.toml', ...extraArgs],
            ports: [{ name: 'http', containerPort: CONTAINER_PORT }],
            volumeMounts: [{ name: 'config', mountPath: '/etc/kubernetes-mcp-server', readOnly: true }],
          }],
          volumes: [{ name: 'config', configMap: { name: 'kubernetes-mcp-server' } }],
        },
      },
    },
  };
}

/** Read-only tools of the core and config toolsets in v0.0.67, minus configuration_view. */
const READ_ONLY_TOOLS = [
  'events_list', 'namespaces_list', 'nodes_log', 'nodes_stats_summary', 'nodes_top', 'pods_get', 'pods_list',
  'pods_list_in_namespace', 'pods_log', 'pods_top', 'projects_list', 'resources_get', 'resources_list',
];

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

describe('kubernetes-mcp-server v0.0.67 run from the Deployment + ConfigMap', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServerFromManifests({ deployment: deployment(), configMaps: [configMap(TOML)], portOverride: await freePort() });
  }, 30000);
  afterAll(async () => { await server?.stop(); }, 15000);

  test('listens on the declared port (overridden to a free one), with the manifest args unchanged but for the path', () => {
    expect(server.args).toEqual(['--config', expect.stringMatching(/\/volumes\/config\/config\.toml$/)]);
    expect(server.notes).toContain(`portOverride: /etc/kubernetes-mcp-server/config.toml (ConfigMap kubernetes-mcp-server) line "port = "${CONTAINER_PORT}"" -> "port = "${server.port}""`);
    expect(server.stdout()).toContain(`server.addr="0.0.0.0:${server.port}"`);
  });

  test('GET /healthz answers 200', async () => {
    expect((await httpGet(server.url('/healthz'))).status).toBe(200);
  });

  test('an MCP SDK client initializes over /mcp and sees only read-only tools, without configuration_view', async () => {
    const client = await mcpClient(server.url('/mcp'));
    try {
      expect(client.getServerVersion()).toMatchObject({ name: 'kubernetes-mcp-server', version: 'v0.0.67' });
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name).sort();
      expect(names).not.toContain('configuration_view');
      for (const t of tools) expect({ name: t.name, readOnlyHint: t.annotations?.readOnlyHint }).toEqual({ name: t.name, readOnlyHint: true });
      expect(names).toEqual(READ_ONLY_TOOLS);
      // The API server (https://127.0.0.1:1) is unreachable: tool calls fail, the server does not.
      const r: any = await client.callTool({ name: 'namespaces_list', arguments: {} });
      expect(r.isError).toBe(true);
      expect(r.content[0].text).toContain('127.0.0.1:1');
    } finally {
      await client.close();
    }
  }, 20000);
});

test('a --port arg agreeing with the TOML port: both are the one declared value, both are rewritten, it listens', async () => {
  const override = await freePort();
  const s = await startServerFromManifests({ deployment: deployment(['--port', String(CONTAINER_PORT)]), configMaps: [configMap(TOML)], portOverride: override });
  try {
    expect(s.args.slice(2)).toEqual(['--port', String(override)]);
    expect(s.notes).toContain(`portOverride: arg --port ${CONTAINER_PORT} -> ${override}`);
    expect((await httpGet(s.url('/healthz'))).status).toBe(200);
  } finally {
    await s.stop();
  }
}, 30000);

describe('the check can fail', () => {
  test('a --port arg disagreeing with the TOML port: nothing listens on the declared containerPort', async () => {
    const other = await freePort();
    const attempt = startServerFromManifests({
      deployment: deployment(['--port', String(other)]), configMaps: [configMap(TOML)], portOverride: await freePort(), waitMs: 4000,
    });
    // The server did start, but on the flag's port: the flag wins over the TOML value.
    await expect(attempt).rejects.toThrow(new RegExp(`did not accept TCP connections on 127\\.0\\.0\\.1:\\d+ \\(portOverride for declared containerPort ${CONTAINER_PORT}\\)[\\s\\S]*server\\.addr="0\\.0\\.0\\.0:${other}"`));
  }, 20000);

  test('an integer TOML port (port = 8686) is rejected by the binary: the port must be a string', async () => {
    const attempt = startServerFromManifests({
      deployment: deployment(), configMaps: [configMap(TOML.replace(`port = "${CONTAINER_PORT}"`, `port = ${CONTAINER_PORT}`))], portOverride: await freePort(),
    });
    await expect(attempt).rejects.toThrow(/exited \(code 1\)[\s\S]*incompatible types: TOML value has type int64; destination has type string/);
  }, 20000);
});

describe('denied_resources against a fake API server (discovery only, loopback)', () => {
  const requests: string[] = [];
  let api: http.Server;
  let server: RunningServer;

  beforeAll(async () => {
    api = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const u = (req.url ?? '').split('?')[0];
      const json = (o: unknown, status = 200): void => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(o)); };
      if (u === '/api') return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      if (u === '/apis') return json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      if (u === '/api/v1') {
        return json({ kind: 'APIResourceList', groupVersion: 'v1', resources: [
          { name: 'secrets', singularName: 'secret', namespaced: true, kind: 'Secret', verbs: ['get', 'list'] },
          { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list'] },
        ] });
      }
      if (u.startsWith('/api/v1/namespaces/default/')) return json({ kind: 'List', apiVersion: 'v1', metadata: {}, items: [] });
      return json({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 }, 404);
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(api.address() as net.AddressInfo).port}`;
    server = await startServerFromManifests({ deployment: deployment(), configMaps: [configMap(TOML)], portOverride: await freePort(), kubeApiServer: apiUrl });
  }, 30000);
  afterAll(async () => {
    await server?.stop();
    await new Promise((r) => api?.close(r));
  }, 15000);

  test('listing Secrets is refused by the server itself; ConfigMaps reach the API', async () => {
    const client = await mcpClient(server.url('/mcp'));
    try {
      const secrets: any = await client.callTool({ name: 'resources_list', arguments: { apiVersion: 'v1', kind: 'Secret', namespace: 'default' } });
      expect(secrets.isError).toBe(true);
      expect(secrets.content[0].text).toContain('resource not allowed: /v1, Kind=Secret');
      const cms: any = await client.callTool({ name: 'resources_list', arguments: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default' } });
      expect(cms.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(requests.filter((r) => r.includes('/secrets'))).toEqual([]);
    expect(requests.some((r) => r.startsWith('GET /api/v1/namespaces/default/configmaps'))).toBe(true);
  }, 20000);
});

import * as path from 'node:path';
import { loadDist } from '../lib/checks';
import { crdDir } from '../lib/checks/crd-schemas';
import { canConnect, podTemplates } from '../lib/checks/network-eval';
import { checkSchemas } from '../lib/checks/schema';
import { runPolicy } from '../lib/policy/run';
import { KagentConfig, KmcpServerInput } from '../lib/config/types';
import { ENVIRONMENTS } from '../lib/environments';
import { homelab } from '../lib/environments/homelab';
import { synthesizeEnvironment } from '../lib/synth';
import { resolveEnvironments } from '../lib/config/resolve';
import { McpGateway } from '../lib/mcp-gateway';
import { buildEnvironment } from '../lib/platform';
import { expectIssue } from './support/config-issues';
import { minimalEnv } from './support/environments';
import * as fs from 'node:fs';

const ROOT = path.resolve(__dirname, '..');
const dist = loadDist(ROOT);
const homelabObjects = dist.objects.filter((o) => o.env === 'homelab');
const ofKind = (kind: string) => homelabObjects.filter((o) => o.doc.kind === kind);
const application = (name: string) => dist.objects.find((o) => o.doc.kind === 'Application' && o.doc.metadata.name === name)!.doc;
const wave = (app: any) => Number(app.metadata.annotations['argocd.argoproj.io/sync-wave']);

const stdioServer: KmcpServerInput = { name: 'files', transport: 'stdio', image: 'docker.io/library/node:22-alpine', cmd: 'npx', args: ['-y', 'x'] };
const withServers = (servers: KmcpServerInput[], kagent?: Partial<KagentConfig>) =>
  minimalEnv({ kmcp: { enabled: true, servers }, ...(kagent ? { kagent } : {}) });
const server = (field: string) => `environments.test.kmcp.servers[0].${field}`;

describe('kMCP controller through Argo CD', () => {
  test('installs chart kmcp-crds before chart kmcp, both before the MCPServers that need them', () => {
    const crds = application('homelab-kmcp-crds');
    const controller = application('homelab-kmcp');
    const servers = application('homelab-mcp-servers');
    expect(wave(crds)).toBeLessThan(wave(controller));
    expect(wave(controller)).toBeLessThan(wave(servers));
  });

  test('pins both charts to 0.3.0 from the OCI repository written without oci://', () => {
    for (const name of ['homelab-kmcp-crds', 'homelab-kmcp']) {
      const source = application(name).spec.source;
      expect(source).toMatchObject({ repoURL: 'ghcr.io/kagent-dev/kmcp/helm', targetRevision: '0.3.0' });
    }
    expect(application('homelab-kmcp-crds').spec.source.chart).toBe('kmcp-crds');
    expect(application('homelab-kmcp').spec.source.chart).toBe('kmcp');
  });

  test('applies server-side (the MCPServer CRD exceeds the client-side annotation limit) and creates its namespace', () => {
    for (const name of ['homelab-kmcp-crds', 'homelab-kmcp']) {
      expect(application(name).spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['ServerSideApply=true', 'CreateNamespace=true']));
    }
  });

  test('passes replicas, leader election and resources from config as chart values', () => {
    const env = resolveEnvironments([{ ...homelab, kmcp: { ...homelab.kmcp, controller: { replicas: 2, resources: { limits: { memory: '256Mi' } } } } }])[0];
    const apps = synthesizeEnvironment(env).find((f) => f.path === 'homelab/apps/apps.k8s.yaml')!.content;
    expect(apps).toContain('replicaCount: 2');
    expect(apps).toMatch(/leaderElection:\n\s+enabled: true/);
    expect(apps).toContain('memory: 256Mi');
  });

  test('no Application of any environment syncs automatically', () => {
    const apps = dist.objects.filter((o) => o.doc.kind === 'Application');
    expect(apps.length).toBeGreaterThan(8);
    for (const app of apps) expect(app.doc.spec.syncPolicy?.automated).toBeUndefined();
  });
});

describe('MCPServers of homelab (seed 001 examples)', () => {
  const mcpServers = ofKind('MCPServer');
  const byName = (name: string) => mcpServers.find((o) => o.doc.metadata.name === name)!.doc;

  test('ships a stdio filesystem server with its own volume and a native HTTP server', () => {
    expect(mcpServers.map((o) => o.doc.metadata.name)).toEqual(['filesystem', 'everything']);
    const fsServer = byName('filesystem');
    expect(fsServer.spec).toMatchObject({ transportType: 'stdio', stdioTransport: {} });
    const claim = fsServer.spec.deployment.volumes[0].persistentVolumeClaim.claimName;
    expect(ofKind('PersistentVolumeClaim').map((o) => o.doc.metadata.name)).toContain(claim);
    expect(byName('everything').spec).toMatchObject({ transportType: 'http', httpTransport: { targetPort: 3001, path: '/mcp' }, deployment: { port: 3001 } });
  });

  test('gives the pods kMCP creates a restricted security context, init container included', () => {
    for (const o of mcpServers) {
      const d = o.doc.spec.deployment;
      expect(d.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(d.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      if (o.doc.spec.transportType === 'stdio') expect(d.initContainer.securityContext).toEqual(d.securityContext);
    }
  });

  (fs.existsSync(crdDir()) ? test : test.skip)('validate against the MCPServer and RemoteMCPServer CRDs (ajv, unknown fields rejected)', () => {
    const custom = homelabObjects.filter((o) => o.doc.apiVersion.startsWith('kagent.dev/'));
    expect(custom.map((o) => o.doc.kind).sort()).toEqual(['MCPServer', 'MCPServer', 'RemoteMCPServer', 'RemoteMCPServer', 'RemoteMCPServer']);
    expect(checkSchemas(custom)).toEqual([]);
    const typo = { ...custom[0], doc: { ...custom[0].doc, spec: { ...custom[0].doc.spec, transportTyp: 'stdio' } } };
    expect(checkSchemas([typo]).map((f) => f.check)).toEqual(['schema/invalid']);
  });

  test('a server that loses its security context breaks the namespace\'s restricted level in the policy', () => {
    const stripped = dist.objects.map((o) => (o.doc.kind === 'MCPServer' && o.doc.metadata.name === 'everything'
      ? { ...o, doc: { ...o.doc, spec: { ...o.doc.spec, deployment: { ...o.doc.spec.deployment, securityContext: undefined, podSecurityContext: undefined } } } }
      : o));
    const failed = runPolicy({ objects: stripped }).results.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.check)).toContain('namespace/pod-security-level');
  });
});

describe('kagent RemoteMCPServers', () => {
  const remotes = ofKind('RemoteMCPServer').map((o) => o.doc);

  test('one per platform MCP server, streamable HTTP at the server\'s in-cluster /mcp URL', () => {
    expect(remotes.map((r) => [r.metadata.name, r.spec.url, r.spec.protocol])).toEqual([
      ['kubernetes', 'http://kubernetes-mcp-server.mcp-system:8080/mcp', 'STREAMABLE_HTTP'],
      ['filesystem', 'http://filesystem.mcp-servers:3000/mcp', 'STREAMABLE_HTTP'],
      ['everything', 'http://everything.mcp-servers:3001/mcp', 'STREAMABLE_HTTP'],
    ]);
  });

  test('every URL resolves to a Service port in dist or to the Service kMCP creates for an MCPServer', () => {
    for (const r of remotes) {
      const url = new URL(r.spec.url);
      const [name, namespace] = url.hostname.split('.');
      const service = ofKind('Service').find((s) => s.doc.metadata.name === name && s.doc.metadata.namespace === namespace);
      const mcpServer = ofKind('MCPServer').find((s) => s.doc.metadata.name === name && s.doc.metadata.namespace === namespace);
      const ports = service ? service.doc.spec.ports.map((p: any) => p.port) : [mcpServer?.doc.spec.deployment.port];
      expect(ports).toContain(Number(url.port));
    }
  });

  test('lets agents of the kagent namespaces reference them, and only those', () => {
    for (const r of remotes) {
      expect(r.spec.allowedNamespaces).toEqual({ from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['kagent'] }] } });
    }
  });

  test('are not generated when kagent is off', () => {
    const env = resolveEnvironments([withServers([stdioServer])])[0];
    const yaml = synthesizeEnvironment(env).map((f) => f.content).join('\n');
    expect(yaml).toContain('kind: MCPServer');
    expect(yaml).not.toContain('kind: RemoteMCPServer');
  });
});

describe('network policies for kMCP pods', () => {
  const pods = podTemplates(dist.objects);
  const pod = (owner: string) => pods.find((p) => p.env === 'homelab' && p.owner === owner)!;
  const agent = { env: 'homelab', namespace: 'kagent', owner: 'Deployment/agent', labels: { app: 'agent' }, ports: [] };
  const stranger = { ...agent, namespace: 'default' };

  test('kagent agents reach each server on its port, and the Kubernetes MCP server', () => {
    expect(canConnect(dist.objects, agent, pod('Deployment/filesystem'), 3000)).toBe(true);
    expect(canConnect(dist.objects, agent, pod('Deployment/everything'), 3001)).toBe(true);
    expect(canConnect(dist.objects, agent, pod('Deployment/kubernetes-mcp-server'), 8080)).toBe(true);
  });

  test('pods of other namespaces and other ports are refused', () => {
    expect(canConnect(dist.objects, stranger, pod('Deployment/filesystem'), 3000)).toBe(false);
    expect(canConnect(dist.objects, agent, pod('Deployment/filesystem'), 3001)).toBe(false);
  });
});

describe('kMCP servers reached from other namespaces take no credential only when the environment says why', () => {
  const REASON = 'sample tools only, no volume and no cluster access';

  test('a server kagent agents reach without an acknowledgement is refused', () => {
    expectIssue([withServers([stdioServer], { enabled: true })], server('unauthenticatedAcknowledged'), /is missing: pods of kagent may call "files"/);
  });

  test('an acknowledgement that is not a sentence is refused', () => {
    expectIssue([withServers([{ ...stdioServer, unauthenticatedAcknowledged: 'fine' }], { enabled: true })], server('unauthenticatedAcknowledged'), /"fine" is not a reason/);
  });

  test('a server no other namespace reaches needs none', () => {
    expect(() => resolveEnvironments([withServers([stdioServer])])).not.toThrow();
  });

  test('the acknowledgement reaches the endpoint record the access docs count', () => {
    const [env] = resolveEnvironments([withServers([{ ...stdioServer, unauthenticatedAcknowledged: REASON }], { enabled: true })]);
    const { app } = buildEnvironment(env);
    expect(McpGateway.endpointsIn(app).find((e) => e.name === 'files')?.unauthenticatedReason).toBe(REASON);
  });
});

describe('bad kMCP configuration', () => {
  test('a stdio server with an http block is refused', () => {
    expectIssue([withServers([{ ...stdioServer, http: { targetPort: 8080 } }])], server('http'), /transport "http" only/);
  });

  test('an http server without a path is refused', () => {
    expectIssue([withServers([{ ...stdioServer, transport: 'http', port: 8080, http: { targetPort: 8080 } }])], server('http'), /targetPort and http\.path/);
  });

  test('an http server whose target port differs from the Service port is refused', () => {
    expectIssue([withServers([{ ...stdioServer, transport: 'http', port: 3000, http: { targetPort: 8080, path: '/mcp' } }])], server('http.targetPort'), /same number/);
  });

  test('a secret-looking env var with a literal value is refused', () => {
    expectIssue([withServers([{ ...stdioServer, env: { GITHUB_TOKEN: 'ghp_123' } }])], server('env.GITHUB_TOKEN'), /Secret listed in secrets/);
  });

  test('cmd with arguments in it is refused', () => {
    expectIssue([withServers([{ ...stdioServer, cmd: 'npx -y x' }])], server('cmd'), /one executable/);
  });

  test('a name that is not DNS-1123 is refused', () => {
    expectIssue([withServers([{ ...stdioServer, name: 'Files_1' }])], server('name'), /DNS-1123/);
  });

  test('an unpinned image is refused', () => {
    expectIssue([withServers([{ ...stdioServer, image: 'node:latest' }])], server('image'), /pinned/);
  });

  test('write-capable cluster roles are refused', () => {
    expectIssue([withServers([{ ...stdioServer, clusterRoles: ['edit' as 'view'] }])], server('clusterRoles[0]'), /allowed: view/);
  });

  test('two replicas on a ReadWriteOnce volume are refused', () => {
    expectIssue([withServers([{ ...stdioServer, replicas: 2, volume: { mountPath: '/data' } }])], server('replicas'), /ReadWriteOnce/);
  });

  test('a chart repository written with oci:// is refused', () => {
    expectIssue([minimalEnv({ kmcp: { enabled: true, controller: { chartRepoURL: 'oci://ghcr.io/kagent-dev/kmcp/helm' } } })],
      'environments.test.kmcp.controller.chartRepoURL', /without oci:\/\//);
  });

  test('servers listed while kmcp is disabled are refused', () => {
    expectIssue([minimalEnv({ kmcp: { servers: [stdioServer] } })], 'environments.test.kmcp.servers', /kmcp\.enabled is false \(its default\)/);
  });

  test('two controller replicas without leader election are refused', () => {
    expectIssue([minimalEnv({ kmcp: { enabled: true, controller: { replicas: 2, leaderElection: false } } })],
      'environments.test.kmcp.controller.leaderElection', /fight/);
  });
});

test('every shipped environment still resolves', () => {
  expect(resolveEnvironments(ENVIRONMENTS).length).toBe(ENVIRONMENTS.length);
});

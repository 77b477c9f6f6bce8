import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { hostClaims, loadDist } from '../lib/checks';
import { EnvironmentInput } from '../lib/config/types';
import { expectIssue } from './support/config-issues';
import { minimalEnv } from './support/environments';
import { container, find, objectsOf, podSpec } from './support/objects';
import { environmentNames } from './support/configured';

const ROOT = path.resolve(__dirname, '..');
const dist = loadDist(ROOT);

const k8sMcp = (over: EnvironmentInput['kubernetesMcp'] = {}) => minimalEnv({ kubernetesMcp: { enabled: true, ...over } });

describe('Penpot MCP server', () => {
  const objects = objectsOf(minimalEnv());

  test('its Service exposes 4401 (http) and 4402 (ws) only, never the 4403 REPL', () => {
    const ports = find(objects, 'Service', 'penpot-mcp').spec.ports.map((p: any) => p.port);
    expect(ports).toEqual([4401, 4402]);
    const c = container(find(objects, 'Deployment', 'penpot-mcp'), 'mcp');
    expect(c.ports.map((p: any) => p.containerPort)).not.toContain(4403);
  });

  test('runs the pinned official image with the 2.17 env names and one replica by default', () => {
    const d = find(objects, 'Deployment', 'penpot-mcp');
    const c = container(d, 'mcp');
    expect(c.image).toBe('docker.io/penpotapp/mcp:2.17.0');
    expect(d.spec.replicas).toBe(1);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ PENPOT_MCP_SERVER_PORT: '4401', PENPOT_MCP_WEBSOCKET_PORT: '4402', PENPOT_MCP_REMOTE_MODE: 'true' });
    expect(env.PENPOT_MCP_REDIS_URI).toBeUndefined();
  });

  test('more than one replica shares sessions through Valkey', () => {
    const c = container(find(objectsOf(minimalEnv({ penpot: { mcp: { replicas: 2 } } })), 'Deployment', 'penpot-mcp'), 'mcp');
    expect(c.env.find((e: any) => e.name === 'PENPOT_MCP_REDIS_URI').value).toBe('redis://penpot-valkey:6379/0');
  });

  test('a dedicated host routes /mcp straight to penpot-mcp:4401, unbuffered with long timeouts', () => {
    const ingress = find(objectsOf(minimalEnv({ penpot: { mcp: { host: 'penpot-mcp.test.internal' } } })), 'Ingress', 'penpot-mcp');
    const p = ingress.spec.rules[0].http.paths[0];
    expect(ingress.spec.rules[0].host).toBe('penpot-mcp.test.internal');
    expect(p.path).toBe('/mcp');
    expect(p.backend.service).toEqual({ name: 'penpot-mcp', port: { name: 'http' } });
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(Number(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
  });
});

describe('Kubernetes MCP server', () => {
  const objects = objectsOf(k8sMcp());
  const deployment = find(objects, 'Deployment', 'kubernetes-mcp-server');
  const c = container(deployment, 'kubernetes-mcp-server');
  const toml = parseToml(find(objects, 'ConfigMap', 'kubernetes-mcp-server').data['config.toml']) as any;

  test('the port is declared once: TOML, containerPort, Service targetPort and probes agree', () => {
    expect(toml.port).toBe('8080');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(find(objects, 'Service', 'kubernetes-mcp-server').spec.ports[0]).toMatchObject({ port: 8080, targetPort: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect([...c.command, ...c.args].some((a: string) => a.startsWith('--port'))).toBe(false);
  });

  test('changing the port moves every place at once', () => {
    const objs = objectsOf(k8sMcp({ port: 9090 }));
    expect((parseToml(find(objs, 'ConfigMap', 'kubernetes-mcp-server').data['config.toml']) as any).port).toBe('9090');
    expect(container(find(objs, 'Deployment', 'kubernetes-mcp-server'), 'kubernetes-mcp-server').ports[0].containerPort).toBe(9090);
    expect(find(objs, 'Service', 'kubernetes-mcp-server').spec.ports[0].port).toBe(9090);
  });

  test('the TOML is read-only, disables configuration_view and denies Secrets', () => {
    expect(toml).toMatchObject({ read_only: true, disable_destructive: true, toolsets: ['core', 'config'], list_output: 'table' });
    expect(toml.disabled_tools).toContain('configuration_view');
    expect(toml.denied_resources).toEqual([{ group: '', version: 'v1', kind: 'Secret' }]);
  });

  test('runs as 65532 with a read-only root filesystem, a writable /tmp and its own token', () => {
    expect(podSpec(deployment).securityContext).toMatchObject({ runAsUser: 65532, runAsNonRoot: true });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toContain('/tmp');
    expect(podSpec(deployment).serviceAccountName).toBe('kubernetes-mcp-server');
    expect(podSpec(deployment).automountServiceAccountToken).toBe(true);
  });

  test('NodePort exposure adds a NodePort Service with only the MCP port on the fixed node port', () => {
    const env = minimalEnv({ kubernetesMcp: { enabled: true, exposure: { type: 'NodePort', nodePort: 30808 } }, network: { mcpClientCidrs: ['10.8.0.0/24'] } });
    const svc = find(objectsOf(env), 'Service', 'kubernetes-mcp-server-nodeport');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', nodePort: 30808 }]);
  });

  test('autoscaling creates an HPA and leaves the replica count to it', () => {
    const objs = objectsOf(k8sMcp({ stateless: true, autoscaling: { minReplicas: 2, maxReplicas: 5 } }));
    const hpa = find(objs, 'HorizontalPodAutoscaler', 'kubernetes-mcp-server');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
    expect(find(objs, 'Deployment', 'kubernetes-mcp-server').spec.replicas).toBeUndefined();
  });
});

describe('MCP RBAC', () => {
  const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'];

  /** Rules granted to MCP ServiceAccounts by the ClusterRoles of a set of objects (built-in `view` excluded). */
  function mcpRules(objects: any[]): { role: string; rule: any }[] {
    const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding');
    const bound = bindings.filter((b) => b.subjects.some((s: any) => s.kind === 'ServiceAccount' && /mcp/.test(s.name)));
    const roleNames = new Set(bound.map((b) => b.roleRef.name));
    return objects.filter((o) => (o.kind === 'ClusterRole' || o.kind === 'Role') && roleNames.has(o.metadata.name))
      .flatMap((r) => r.rules.map((rule: any) => ({ role: r.metadata.name, rule })));
  }

  const everyDistObject = dist.objects.map((o) => o.doc);

  test('no MCP identity in dist gets a write verb, a wildcard, Secrets or cluster-admin', () => {
    const rules = mcpRules(everyDistObject);
    expect(rules.length).toBeGreaterThan(0);
    for (const { rule } of rules) {
      expect(rule.verbs.filter((v: string) => WRITE_VERBS.includes(v))).toEqual([]);
      expect(rule.resources).not.toContain('*');
      expect(rule.apiGroups).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
    }
    const roleRefs = everyDistObject.filter((o) => o.kind === 'ClusterRoleBinding').map((b) => b.roleRef.name);
    expect(roleRefs).not.toContain('cluster-admin');
    expect(roleRefs).not.toContain('edit');
    expect(roleRefs).not.toContain('admin');
  });

  test('MCP identities (readers, Llama Stack\'s instance; never the token-protected server itself) are bound to the built-in view role', () => {
    const bindings = everyDistObject.filter((o) => o.kind === 'ClusterRoleBinding' && o.roleRef.name === 'view');
    expect(bindings.length).toBeGreaterThan(0);
    for (const b of bindings) {
      for (const s of b.subjects) expect(s).toEqual({ kind: 'ServiceAccount', name: expect.stringMatching(/^kubernetes-mcp-(reader-[a-z0-9-]+|server-llama-stack)$/), namespace: 'mcp-system' });
    }
  });

  test('Helm release reading grants cluster-wide Secret listing only when opted in', () => {
    const rules = mcpRules(objectsOf(k8sMcp({
      helmReleaseAccess: true, helmReleaseAccessAcknowledged: 'agents read Helm releases in this test cluster', toolsets: ['core', 'helm'],
    })));
    const secretRules = rules.filter(({ rule }) => rule.resources.includes('secrets'));
    expect(secretRules.map(({ rule }) => rule.verbs)).toEqual([['list']]);
  });
});

describe('MCP configuration errors name the field', () => {
  test('a NodePort outside 30000-32767', () => {
    expectIssue([k8sMcp({ exposure: { type: 'NodePort', nodePort: 8080 } })], 'environments.test.kubernetesMcp.exposure.nodePort', /30000-32767/);
  });

  test('more than one replica without stateless', () => {
    expectIssue([k8sMcp({ replicas: 2 })], 'environments.test.kubernetesMcp.replicas', /stateless/);
  });

  test('autoscaling without stateless', () => {
    expectIssue([k8sMcp({ autoscaling: { minReplicas: 2, maxReplicas: 5 } })], 'environments.test.kubernetesMcp.autoscaling', /stateless/);
  });

  test('an unknown toolset', () => {
    expectIssue([k8sMcp({ toolsets: ['core', 'nope'] })], 'environments.test.kubernetesMcp.toolsets[1]', /allowed: core, config, helm/);
  });

  test('the helm toolset without the explicit opt-in', () => {
    expectIssue([k8sMcp({ toolsets: ['core', 'helm'] })], 'environments.test.kubernetesMcp.toolsets', /helmReleaseAccess/);
  });

  test('a --port in extraArgs (the port is declared once)', () => {
    expectIssue([k8sMcp({ extraArgs: ['--port=9000'] })], 'environments.test.kubernetesMcp.extraArgs[0]', /own config field/);
  });

  test('a NodePort without client CIDRs (default deny would drop every client)', () => {
    expectIssue([k8sMcp({ exposure: { type: 'NodePort' } })], 'environments.test.network.mcpClientCidrs', /VPN peers/);
  });

  test('two servers on one NodePort', () => {
    expectIssue([minimalEnv({
      penpot: { mcp: { exposure: { type: 'NodePort', nodePort: 30808 } } },
      kubernetesMcp: { enabled: true, exposure: { type: 'NodePort', nodePort: 30808 } },
    })], 'environments.test.kubernetesMcp.exposure.nodePort', /already used by environments.test.penpot.mcp.exposure.nodePort/);
  });

  test('two servers on one host', () => {
    expectIssue([minimalEnv({
      penpot: { mcp: { host: 'mcp.test.internal' } },
      kubernetesMcp: { enabled: true, ingressHost: 'mcp.test.internal' },
    })], 'environments.test.kubernetesMcp.ingressHost', /already used by environments.test.penpot.mcp.host/);
  });

  test('a moving fork tag such as dev-latest', () => {
    expectIssue([k8sMcp({ image: 'ghcr.io/someone/kubernetes-mcp-server:dev-latest' })], 'environments.test.kubernetesMcp.image', /moving tag "dev-latest"/);
  });
});

describe('generated client configs', () => {
  // Every environment with an MCP endpoint has client configs.
  const envs = environmentNames().filter((env) => fs.existsSync(path.join(ROOT, 'dist', env, 'mcp-clients')));
  const services = dist.objects.filter((o) => o.doc.kind === 'Service');
  // Every routing kind (Ingress, OpenShift Route, HTTPRoute), with the scheme dist/ serves it over.
  const hosts = hostClaims(dist.objects).map((c) => ({ env: c.object.env, host: c.host, paths: c.paths, https: c.https }));

  /** The URL's host and port exist in that env's dist (Ingress host, NodePort, or Service.namespace:port). */
  function resolves(env: string, raw: string): boolean {
    const url = new URL(raw.replace('<NODE_IP>', 'node.placeholder'));
    if (!url.pathname.startsWith('/mcp')) return false;
    if (url.hostname === 'node.placeholder') {
      return services.some((s) => s.env === env && s.doc.spec.type === 'NodePort' && s.doc.spec.ports.some((p: any) => String(p.nodePort) === url.port));
    }
    const [svc, ns] = url.hostname.split('.');
    // kMCP creates the Service of an MCPServer: same name, port = deployment.port.
    const kmcpServer = (port: string) => dist.objects.some((o) => o.env === env && o.doc.kind === 'MCPServer'
      && o.doc.metadata.name === svc && o.doc.metadata.namespace === ns && String(o.doc.spec.deployment.port) === port);
    if (url.port && kmcpServer(url.port)) return true;
    if (url.port) return services.some((s) => s.env === env && s.doc.metadata.name === svc && s.doc.metadata.namespace === ns && s.doc.spec.ports.some((p: any) => String(p.port) === url.port));
    return hosts.some((h) => h.env === env && h.host === url.hostname && h.https === (url.protocol === 'https:')
      && h.paths.some((p: string) => url.pathname.startsWith(p)));
  }

  test.each(envs)('%s: the Codex TOML, Claude JSON and Inspector JSON parse and point at hosts and ports of dist', (env) => {
    const dir = path.join(ROOT, 'dist', env, 'mcp-clients');
    const codex = parseToml(fs.readFileSync(path.join(dir, 'codex-config.toml'), 'utf8')) as any;
    const claude = JSON.parse(fs.readFileSync(path.join(dir, 'claude-mcp.json'), 'utf8'));
    const inspector = JSON.parse(fs.readFileSync(path.join(dir, 'inspector-config.json'), 'utf8'));
    const urls = [
      ...Object.values<any>(codex.mcp_servers).map((s) => s.url),
      ...Object.values<any>(claude.mcpServers).map((s) => s.url),
      ...Object.values<any>(inspector.mcpServers).map((s) => s.url),
    ];
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect({ url, resolves: resolves(env, url) }).toEqual({ url, resolves: true });
    expect(Object.values<any>(inspector.mcpServers).every((s) => s.type === 'streamable-http')).toBe(true);
  });

  test('every Kubernetes MCP URL ends in /mcp and the penpot endpoint\'s URLs carry the userToken placeholder', () => {
    const texts = envs.map((env) => fs.readFileSync(path.join(ROOT, 'dist', env, 'CONNECT.md'), 'utf8'));
    const urlsOf = (text: string) => [...text.matchAll(/`(https?:\/\/[^`\s]+)`/g)].map((m) => m[1]);
    const urls = texts.flatMap(urlsOf);
    expect(urls.length).toBeGreaterThan(5);
    for (const url of urls.filter((u) => u.includes('kubernetes-mcp') || u.includes('k8s-mcp') || u.includes('<NODE_IP>'))) {
      expect(url).toMatch(/\/mcp$/);
    }
    // Sections are `## \`<endpoint>\`: ...`; only Penpot's own MCP server takes the per-user key (penpot-export takes a bearer).
    const sections = texts.flatMap((t) => t.split(/^## /m)).map((s) => ({ name: /^`([^`]+)`/.exec(s)?.[1], urls: urlsOf(s) }));
    const penpot = sections.filter((s) => s.name === 'penpot').flatMap((s) => s.urls);
    expect(penpot.length).toBeGreaterThan(0);
    for (const url of penpot) expect(url).toMatch(/\?userToken=<YOUR_PENPOT_MCP_KEY>$/);
    for (const url of sections.filter((s) => s.name !== 'penpot').flatMap((s) => s.urls)) expect(url).not.toContain('userToken');
  });

  test('the resolver rejects a URL that points nowhere (the check can fail)', () => {
    expect(resolves('homelab', 'http://kubernetes-mcp-server.mcp-system:9999/mcp')).toBe(false);
    expect(resolves('homelab', 'http://nohost.finalq.xyz/mcp')).toBe(false);
  });
});

/**
 * Identity on the Kubernetes MCP server (issue 11): the auth setting and its bad inputs, the reader
 * ServiceAccounts and their RBAC, the kagent credential, Llama Stack's in-cluster instance, and the
 * generated client configs (which must parse and carry no credential value).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { loadDist } from '../lib/checks';
import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentConfig, EnvironmentInput } from '../lib/config/types';
import { ENVIRONMENTS } from '../lib/environments';
import { mcpAuthentication } from '../lib/policy/checks-identity';
import { WRITE_VERBS } from '../lib/policy/checks-rbac';
import { expectIssue } from './support/config-issues';
import { minimalEnv } from './support/environments';
import { find, objectsOf } from './support/objects';
import { synthesizedDist } from './support/synthesized-dist';

const ROOT = path.resolve(__dirname, '..');
const dist = loadDist(ROOT);
const resolved = resolveEnvironments(ENVIRONMENTS);
const nodePort = { exposure: { type: 'NodePort' as const, nodePort: 30808 } };
const vpn = { network: { mcpClientCidrs: ['10.8.0.0/24'] } };
const k8sMcp = (k: Record<string, unknown> = {}, extra: Partial<EnvironmentInput> = {}): EnvironmentInput =>
  minimalEnv({ penpot: { enabled: false }, kubernetesMcp: { enabled: true, ...k } as never, ...extra });
const tomlOf = (objects: any[], name = 'kubernetes-mcp-server'): any => parseToml(find(objects, 'ConfigMap', name).data['config.toml']);
const REASON = 'A lab cluster on an isolated network; every user may read it as the server.';

describe('auth mode defaults', () => {
  test('kubernetes-token whenever the server is reachable beyond its namespace', () => {
    const cases: EnvironmentInput[] = [
      k8sMcp(nodePort, vpn),
      k8sMcp({ ingressHost: 'k8s-mcp.test.internal' }),
      k8sMcp({}, { network: { mcpClientNamespaces: ['agents'] } }),
      k8sMcp({}, { kagent: { enabled: true } }),
    ];
    for (const input of cases) expect(tomlOf(objectsOf(input))).toMatchObject({ require_oauth: true, skip_jwt_verification: true, cluster_auth_mode: 'passthrough' });
  });

  test('none when only its own namespace reaches it', () => {
    const toml = tomlOf(objectsOf(k8sMcp()));
    expect(toml.require_oauth).toBeUndefined();
    expect(toml.skip_jwt_verification).toBeUndefined();
  });

  test.each(resolved.filter((e) => e.kubernetesMcp.enabled).map((e) => [e.name, e] as const))('%s: every environment of the repository requires a token', (_name, env: EnvironmentConfig) => {
    expect(env.kubernetesMcp.auth.mode).toBe('kubernetes-token');
  });
});

describe('bad input fails synth naming the field', () => {
  const f = (field: string): string => `environments.test.kubernetesMcp.${field}`;

  test('an unknown auth mode', () => {
    expectIssue([k8sMcp({ auth: { mode: 'kubernetes_token' } })], f('auth.mode'), /did you mean "kubernetes-token"\?/);
  });

  test('oidc without an issuer', () => {
    expectIssue([k8sMcp({ ingressHost: 'k8s-mcp.test.internal', auth: { mode: 'oidc' } })], f('auth.oidc.issuerUrl'), /oidc needs the issuer/);
  });

  test('oidc whose server_url is not the published /mcp URL', () => {
    expectIssue([k8sMcp({ ingressHost: 'k8s-mcp.test.internal', auth: { mode: 'oidc', oidc: { issuerUrl: 'https://sso.test.internal/realms/main', serverUrl: 'https://k8s-mcp.test.internal/' } } })],
      f('auth.oidc.serverUrl'), /is not the published \/mcp URL; allowed: "http:\/\/k8s-mcp\.test\.internal\/mcp"/);
  });

  test('oidc without a published URL at all', () => {
    expectIssue([k8sMcp({ auth: { mode: 'oidc', oidc: { issuerUrl: 'https://sso.test.internal/realms/main' } } }, vpn)], f('auth.mode'), /needs a published \/mcp URL/);
  });

  test('a reader name that is not a DNS label', () => {
    expectIssue([k8sMcp({ ...nodePort, readers: ['Alice'] }, vpn)], f('readers[0]'), /is not a reader name; allowed: a DNS-1123 label/);
  });

  test('a reader listed twice', () => {
    expectIssue([k8sMcp({ ...nodePort, readers: ['alice', 'bob', 'alice'] }, vpn)], f('readers[2]'), /"alice" is listed twice/);
  });

  test('cluster_auth_mode kubeconfig with required auth (upstream refuses it)', () => {
    expectIssue([k8sMcp({ ...nodePort, auth: { clusterAuthMode: 'kubeconfig' } }, vpn)], f('auth.clusterAuthMode'), /refused by kubernetes-mcp-server/);
  });

  test('none with exposure beyond the namespace and no acknowledgement', () => {
    expectIssue([k8sMcp({ ...nodePort, auth: { mode: 'none' } }, vpn)], f('auth.mode'), /'none' while the server is reachable beyond its namespace \(a NodePort\)/);
  });

  test('an acknowledgement with no reason', () => {
    expectIssue([k8sMcp({ ...nodePort, auth: { mode: 'none', unauthenticatedAcknowledged: 'ok' } }, vpn)], f('auth.unauthenticatedAcknowledged'), /is not a reason/);
  });

  test('an acknowledgement of a risk the mode does not take', () => {
    expectIssue([k8sMcp({ ...nodePort, auth: { unauthenticatedAcknowledged: REASON } }, vpn)], f('auth.unauthenticatedAcknowledged'), /mode "kubernetes-token" does not take/);
  });

  test('an unknown key under auth', () => {
    expectIssue([k8sMcp({ auth: { mdoe: 'none' } })], f('auth.mdoe'), /did you mean mode\?/);
  });
});

describe('none, acknowledged', () => {
  const objects = objectsOf(k8sMcp({ ...nodePort, auth: { mode: 'none', unauthenticatedAcknowledged: REASON } }, vpn));

  test('the server runs without require_oauth and reads as its own ServiceAccount', () => {
    expect(tomlOf(objects).require_oauth).toBeUndefined();
    expect(find(objects, 'ClusterRoleBinding', 'mcp-system-kubernetes-mcp-server-view').subjects)
      .toEqual([{ kind: 'ServiceAccount', name: 'kubernetes-mcp-server', namespace: 'mcp-system' }]);
  });
});

describe('RBAC of the committed dist/', () => {
  const bindings = dist.objects.filter((o) => o.doc.kind === 'ClusterRoleBinding' && /kubernetes-mcp-server/.test(o.doc.metadata.name));
  const roleOf = (env: string, name: string): any => dist.objects.find((o) => o.env === env && o.doc.kind === 'ClusterRole' && o.doc.metadata.name === name)?.doc;

  test('reader bindings grant no write verb and no Secrets (view is the built-in role without Secrets)', () => {
    expect(bindings.length).toBeGreaterThan(0);
    for (const b of bindings) {
      if (b.doc.roleRef.name === 'view') continue;
      const role = roleOf(b.env, b.doc.roleRef.name);
      expect(role).toBeDefined();
      for (const rule of role.rules) {
        expect({ role: role.metadata.name, writes: rule.verbs.filter((v: string) => (WRITE_VERBS as readonly string[]).includes(v)) }).toEqual({ role: role.metadata.name, writes: [] });
        expect(rule.resources).not.toContain('secrets');
      }
      expect(b.doc.roleRef.name).not.toMatch(/^(edit|admin|cluster-admin)$/);
    }
  });

  test('nodes/proxy is granted nowhere (no environment opts in)', () => {
    const grants = dist.objects.filter((o) => o.doc.kind === 'ClusterRole').flatMap((o) => o.doc.rules ?? []).filter((r: any) => r.resources.includes('nodes/proxy'));
    expect(grants).toEqual([]);
  });

  test('with auth on, the server\'s own ServiceAccount is bound to nothing (it reads only discovery at start)', () => {
    for (const env of resolved.filter((e) => e.kubernetesMcp.enabled)) {
      const subjects = bindings.filter((b) => b.env === env.name).flatMap((b) => b.doc.subjects);
      expect(subjects).not.toContainEqual(expect.objectContaining({ name: 'kubernetes-mcp-server' }));
    }
  });

  test('homelab: kagent reads through its own reader ServiceAccount, which mounts no token', () => {
    const sa = dist.objects.find((o) => o.env === 'homelab' && o.doc.kind === 'ServiceAccount' && o.doc.metadata.name === 'kubernetes-mcp-reader-kagent')!.doc;
    expect(sa.automountServiceAccountToken).toBe(false);
    const view = bindings.find((b) => b.env === 'homelab' && b.doc.roleRef.name === 'view')!.doc;
    expect(view.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kubernetes-mcp-reader-kagent', namespace: 'mcp-system' }]);
  });
});

describe('readers and the nodes/proxy opt-in', () => {
  const objects = objectsOf(k8sMcp({ ...nodePort, readers: ['alice', 'ci'] }, vpn));

  test('each reader is a ServiceAccount bound to view and the nodes/events role, without nodes/proxy', () => {
    for (const name of ['alice', 'ci']) expect(find(objects, 'ServiceAccount', `kubernetes-mcp-reader-${name}`).automountServiceAccountToken).toBe(false);
    const subjects = ['alice', 'ci'].map((r) => ({ kind: 'ServiceAccount', name: `kubernetes-mcp-reader-${r}`, namespace: 'mcp-system' }));
    expect(find(objects, 'ClusterRoleBinding', 'mcp-system-kubernetes-mcp-server-view').subjects).toEqual(subjects);
    expect(find(objects, 'ClusterRoleBinding', 'mcp-system-kubernetes-mcp-server-nodes').subjects).toEqual(subjects);
    expect(find(objects, 'ClusterRole', 'mcp-system-kubernetes-mcp-server-nodes').rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  test('nodeProxyAccess adds nodes/proxy get, with the risk written on the role', () => {
    const role = find(objectsOf(k8sMcp({ ...nodePort, readers: ['alice'], nodeProxyAccess: true }, vpn)), 'ClusterRole', 'mcp-system-kubernetes-mcp-server-nodes');
    expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] });
    expect(role.metadata.annotations['penpot-mcp-platform/risk-acknowledged']).toMatch(/kubelet API/);
  });
});

describe('in-cluster agents', () => {
  test('kagent\'s RemoteMCPServer reads its Authorization header from a Secret, never a literal', () => {
    const remote = dist.objects.find((o) => o.env === 'homelab' && o.doc.kind === 'RemoteMCPServer' && o.doc.metadata.name === 'kubernetes')!.doc;
    expect(remote.spec.headersFrom).toEqual([{ name: 'Authorization', valueFrom: { type: 'Secret', name: 'kubernetes-mcp-kagent-credential', key: 'authorization' } }]);
    // Made after the first sync by `npm run token -- --reader kagent --write-secret` (its ServiceAccount must exist first), as CONNECT.md says.
    expect(fs.readFileSync(path.join(ROOT, 'dist', 'homelab', 'CONNECT.md'), 'utf8'))
      .toContain('npm run token -- --env homelab --reader kagent --duration 8760h --write-secret');
    for (const o of dist.objects.filter((x) => x.doc.kind === 'RemoteMCPServer')) {
      for (const h of o.doc.spec.headersFrom ?? []) expect(h.value).toBeUndefined();
    }
  });

  test.each(['example', 'openshift'])('%s: Llama Stack\'s connector points at the in-cluster-only instance, which takes no token and reads as its own reader ServiceAccount', (env) => {
    const objects = dist.objects.filter((o) => o.env === env).map((o) => o.doc);
    const runConfig = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'llama-stack')!;
    expect(Object.values<string>(runConfig.data).join('\n')).toContain('http://kubernetes-mcp-server-llama-stack.mcp-system:8080/mcp');
    const toml = tomlOf(objects, 'kubernetes-mcp-server-llama-stack');
    expect(toml.require_oauth).toBeUndefined();
    expect(toml.cluster_auth_mode).toBe('kubeconfig');
    expect(toml.read_only).toBe(true);
    const deployment = find(objects, 'Deployment', 'kubernetes-mcp-server-llama-stack');
    expect(deployment.spec.template.spec.serviceAccountName).toBe('kubernetes-mcp-server-llama-stack');
    const view = objects.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'mcp-system-kubernetes-mcp-server-view')!;
    expect(view.subjects).toContainEqual({ kind: 'ServiceAccount', name: 'kubernetes-mcp-server-llama-stack', namespace: 'mcp-system' });
    expect(find(objects, 'Service', 'kubernetes-mcp-server-llama-stack').spec.type).toBe('ClusterIP');
  });
});

describe('client configs of the committed dist/', () => {
  const envs = resolved.filter((e) => fs.existsSync(path.join(ROOT, 'dist', e.name, 'mcp-clients')));
  const files = envs.flatMap((e) => fs.readdirSync(path.join(ROOT, 'dist', e.name, 'mcp-clients')).map((f) => ({ env: e, file: f, text: fs.readFileSync(path.join(ROOT, 'dist', e.name, 'mcp-clients', f), 'utf8') })));
  const parse = (f: { file: string; text: string }): any => (f.file.endsWith('.toml') ? parseToml(f.text) : JSON.parse(f.text));
  /** Every string value of a parsed file. */
  const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);

  test('every file parses', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(() => parse(f)).not.toThrow();
  });

  test('no file holds a credential value: only variables (${VAR}) and placeholders (<...>)', () => {
    for (const f of files) {
      for (const s of strings(parse(f))) {
        // A JWT (ServiceAccount or OIDC token) has three base64url parts.
        expect(s).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
        const bearer = /Bearer (.*)$/.exec(s);
        if (bearer) expect(bearer[1]).toMatch(/^(\$\{[A-Z0-9_]+\}|<[^>]+>)$/);
        const key = /userToken=([^&]*)/.exec(s);
        if (key) expect(key[1]).toMatch(/^<[A-Z_]+>$/);
      }
    }
  });

  test('Codex reads the token from bearer_token_env_var; Claude from ${VAR} in headers; Inspector gets a header placeholder', () => {
    for (const e of envs) {
      const dir = path.join(ROOT, 'dist', e.name, 'mcp-clients');
      const codex: any = parseToml(fs.readFileSync(path.join(dir, 'codex-config.toml'), 'utf8'));
      const claude = JSON.parse(fs.readFileSync(path.join(dir, 'claude-mcp.json'), 'utf8'));
      const inspector = JSON.parse(fs.readFileSync(path.join(dir, 'inspector-config.json'), 'utf8'));
      if (!codex.mcp_servers?.kubernetes) continue;
      expect(codex.mcp_servers.kubernetes.bearer_token_env_var).toBe('K8S_MCP_TOKEN');
      expect(codex.mcp_servers.kubernetes.bearer_token).toBeUndefined();
      expect(claude.mcpServers.kubernetes.headers).toEqual({ Authorization: 'Bearer ${K8S_MCP_TOKEN}' });
      expect(inspector.mcpServers.kubernetes.headers.Authorization).toBe('Bearer <paste the output of npm run -s token -- --env ENV --reader NAME>');
    }
  });

  test('laptop configs hold no in-cluster URL; the in-cluster file holds only in-cluster URLs', () => {
    for (const f of files) {
      const urls = strings(parse(f)).filter((s) => /^https?:\/\//.test(s));
      const inCluster = (u: string): boolean => /^http:\/\/[a-z0-9-]+\.[a-z0-9-]+:\d+\//.test(u);
      if (f.file === 'in-cluster-only.json') expect(urls.every(inCluster)).toBe(true);
      else expect(urls.filter(inCluster)).toEqual([]);
    }
  });

  test('an in-cluster-only endpoint (Llama Stack\'s instance) is in no laptop config', () => {
    const laptop = files.filter((f) => f.env.name === 'example' && f.file !== 'in-cluster-only.json');
    for (const f of laptop) expect(f.text).not.toContain('kubernetes-llama-stack');
    expect(files.find((f) => f.env.name === 'example' && f.file === 'in-cluster-only.json')!.text).toContain('kubernetes-llama-stack');
  });
});

describe('policy suite: identity/mcp-authentication', () => {
  const configOf = (input: EnvironmentInput, name = 'kubernetes-mcp-server'): any => find(objectsOf(input), 'ConfigMap', name);
  const run = (doc: any) => mcpAuthentication.check(doc, {} as never);

  test('a server requiring a token passes', () => {
    expect(run(configOf(k8sMcp(nodePort, vpn)))).toEqual([]);
  });

  test('none, acknowledged in the environment: a warning exempt with the environment\'s reason', () => {
    expect(run(configOf(k8sMcp({ ...nodePort, auth: { mode: 'none', unauthenticatedAcknowledged: REASON } }, vpn))))
      .toEqual([expect.objectContaining({ acknowledged: REASON, message: expect.stringMatching(/serves MCP without authentication/) })]);
  });

  test('the check can fail: the same ConfigMap without the acknowledgement is a violation', () => {
    const doc = configOf(k8sMcp({ ...nodePort, auth: { mode: 'none', unauthenticatedAcknowledged: REASON } }, vpn));
    delete doc.metadata.annotations;
    const [v] = run(doc);
    expect(v.acknowledged).toBeUndefined();
    expect(v.message).toMatch(/acknowledge it \(kubernetesMcp\.auth\.unauthenticatedAcknowledged\)/);
  });

  test('CONNECT.md shows the acknowledged open endpoint as a warning', () => {
    const connect = synthesizedDist(k8sMcp({ ...nodePort, auth: { mode: 'none', unauthenticatedAcknowledged: REASON } }, vpn)).read('test/CONNECT.md');
    expect(connect).toContain('without a credential: **1** (not acknowledged: **0**)');
    expect(connect).toContain(`> \`kubernetes\` takes no credential; addresses \`10.8.0.0/24\` may connect. Acknowledged: ${REASON}`);
  });
});

describe('Penpot MCP key in the URL (docs)', () => {
  const withPenpotMcp = resolved.filter((e) => e.penpot.enabled && e.penpot.mcp.enabled);

  test.each(withPenpotMcp.map((e) => [e.name] as const))('%s: CONNECT.md and OPERATIONS.md say the key lands in access logs and how to rotate it', (name) => {
    const connect = fs.readFileSync(path.join(ROOT, 'dist', name, 'CONNECT.md'), 'utf8');
    const operations = fs.readFileSync(path.join(ROOT, 'dist', name, 'OPERATIONS.md'), 'utf8');
    for (const doc of [connect, operations]) {
      expect(doc).toMatch(/reads (it|the key) only from (the `userToken` query parameter|that query parameter)/);
      expect(doc).toMatch(/access logs of the ingress controller and of Penpot's frontend nginx/);
      expect(doc).toContain('Regenerate MCP key');
    }
  });
});

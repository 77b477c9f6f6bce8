/**
 * Llama Stack's API behind `server.auth` (issue 11 item 4): the generated block in dist/, what
 * its route policy admits, the configuration rules, and the docs. The route-policy evaluation
 * below is a stand-in transcribed from upstream (core/server/auth.py `_is_route_allowed`,
 * `_route_matches`, `_evaluate_conditions` and access_control/conditions.py `parse_condition` at
 * v0.7.1); only the real server proves its own behaviour (see the closing note).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDist } from '../lib/checks';
import { llamaStackRunConfigErrors, llamaStackRunConfigsIn } from '../lib/checks/llama-stack-run-config';
import { applyDefaults, resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { PUBLIC_ROUTES, serverAuth } from '../lib/llama-stack-run-config';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv } from './support/environments';
import { environmentNames } from './support/configured';

const root = path.resolve(__dirname, '..');
const dist = loadDist(root);
const stacks = llamaStackRunConfigsIn(dist.objects);

interface User { principal: string; roles: string[] }

/** Upstream's route decision: first matching rule wins; no match denies (auth.py:213-245). */
function routeAllowed(policy: any[], route: string, user: User | undefined): boolean {
  const matches = (patterns: string | string[]) => [patterns].flat().some((p) => p === '*'
    || (p.startsWith('regex:') ? new RegExp(`^(?:${p.slice(6)})`).test(route) : p.endsWith('*') ? route.startsWith(p.slice(0, -1)) : p === route));
  const condition = (c: string) => {
    const w = c.split(/\s+/);
    if (w.length === 5 && w[0] === 'user' && w[1] === 'with' && w[3] === 'in') return (u: User) => (w[4] === 'roles' ? u.roles.includes(w[2]) : false);
    throw new Error(`condition upstream would refuse: ${c}`);
  };
  for (const rule of policy) {
    const scope = rule.permit ?? rule.forbid;
    if (!scope || !matches(scope.paths)) continue;
    if ((rule.when || rule.unless) && !user) continue;
    if (rule.when && ![rule.when].flat().every((c: string) => condition(c)(user!))) continue;
    if (rule.unless && [rule.unless].flat().some((c: string) => condition(c)(user!))) continue;
    return rule.permit !== undefined;
  }
  return false;
}

/** What the kubernetes provider makes of a SelfSubjectReview's userInfo with the default claims mapping. */
const userOf = (username: string, groups: string[]): User => ({ principal: username, roles: [username, ...groups] });

test('every exposed Llama Stack in dist/ has server.auth (example and openshift)', () => {
  const exposed = stacks.filter((s) => dist.objects.some((o) => o.env === s.deployment.env && ['Ingress', 'Route', 'HTTPRoute'].includes(o.doc.kind) && o.doc.metadata.namespace === s.deployment.doc.metadata.namespace));
  expect(exposed.map((s) => s.deployment.env).sort()).toEqual(environmentNames((e) => e.llamaStack.enabled && e.llamaStack.ingressHost !== undefined));
  for (const s of exposed) expect({ env: s.deployment.env, type: (s.runConfig as any).server.auth?.provider_config?.type }).toEqual({ env: s.deployment.env, type: 'kubernetes' });
});

describe.each(stacks.map((s) => [s.deployment.env, s] as const))('dist/%s server.auth', (env, s) => {
  const auth = (s.runConfig as any).server.auth;
  const spec = s.deployment.doc.spec.template.spec;
  const container = spec.containers[0];

  test('validates against the closed schema of the pinned release', () => {
    expect(llamaStackRunConfigErrors(s.version, s.runConfig)).toEqual([]);
  });

  test('checks tokens with the kubernetes provider against the in-cluster API server, verifying TLS with the cluster CA mounted from kube-root-ca.crt', () => {
    expect(auth.provider_config).toMatchObject({ type: 'kubernetes', api_server_url: 'https://kubernetes.default.svc', verify_tls: true });
    const file: string = auth.provider_config.tls_cafile;
    const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
    const volume = spec.volumes.find((v: any) => v.name === mount.name);
    expect(volume.configMap).toEqual({ name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: file.slice(mount.mountPath.length + 1) }] });
    expect(mount.readOnly).toBe(true);
  });

  test('the probe paths are permitted first, to anyone, so probes (which send no token) keep working', () => {
    expect(auth.route_policy[0]).toMatchObject({ permit: { paths: [...PUBLIC_ROUTES] } });
    expect(auth.route_policy[0].when).toBeUndefined();
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect(routeAllowed(auth.route_policy, probe.httpGet.path, undefined)).toBe(true);
    }
    expect(routeAllowed(auth.route_policy, '/v1/version', undefined)).toBe(true);
  });

  test('every other route admits only the configured groups and users: nobody anonymous, no other identity', () => {
    const admitted = auth.route_policy.filter((r: any) => r.permit && r.when).map((r: any) => /^user with (\S+) in roles$/.exec(r.when)?.[1]);
    expect(auth.route_policy.filter((r: any) => r.permit && !r.when)).toEqual([auth.route_policy[0]]);
    expect(admitted.length).toBeGreaterThan(0);
    expect(admitted).not.toContain(undefined);
    for (const route of ['/v1/models', '/v1/responses', '/v1/chat/completions', '/v1/files', '/v1/connectors']) {
      expect({ route, anonymous: routeAllowed(auth.route_policy, route, undefined) }).toEqual({ route, anonymous: false });
      expect(routeAllowed(auth.route_policy, route, userOf('system:serviceaccount:other:x', ['system:serviceaccounts', 'system:serviceaccounts:other', 'system:authenticated']))).toBe(false);
      for (const a of admitted) expect(routeAllowed(auth.route_policy, route, userOf('someone', [a, 'system:authenticated']))).toBe(true);
    }
  });

  test('while several pods may serve the API, the vector store routes are refused even to admitted callers (their registry is per pod)', () => {
    const hpa = dist.objects.find((o) => o.env === env && o.doc.kind === 'HorizontalPodAutoscaler' && o.doc.spec.scaleTargetRef.name === 'llama-stack');
    const replicated = hpa !== undefined || (s.deployment.doc.spec.replicas ?? 1) > 1;
    const admitted = auth.route_policy.filter((r: any) => r.permit && r.when).map((r: any) => /^user with (\S+) in roles$/.exec(r.when)![1]);
    for (const route of ['/v1/vector_stores', '/v1/vector_stores/vs_1/files', '/v1/vector-io/insert']) {
      for (const a of admitted) expect({ route, allowed: routeAllowed(auth.route_policy, route, userOf('someone', [a])) }).toEqual({ route, allowed: !replicated });
    }
  });

  test('needs no RBAC of its own and mounts no ServiceAccount token (the review is made with the caller\'s token)', () => {
    expect(spec.automountServiceAccountToken).toBe(false);
    const sa = spec.serviceAccountName ?? 'default';
    const bindings = dist.objects.filter((o) => o.env === env && ['RoleBinding', 'ClusterRoleBinding'].includes(o.doc.kind)
      && (o.doc.subjects ?? []).some((x: any) => x.kind === 'ServiceAccount' && x.name === sa && x.namespace === s.deployment.doc.metadata.namespace));
    expect(bindings).toEqual([]);
  });
});

describe('the route policy of serverAuth', () => {
  const policy = serverAuth({ apiServerUrl: 'https://kubernetes.default.svc', caFile: '/ca.crt', groups: ['g1', 'g2'], users: ['u1'] }).route_policy as any[];

  test('several groups are alternatives (one rule each: conditions of one rule are ANDed upstream)', () => {
    expect(routeAllowed(policy, '/v1/models', userOf('x', ['g1']))).toBe(true);
    expect(routeAllowed(policy, '/v1/models', userOf('x', ['g2']))).toBe(true);
    expect(routeAllowed(policy, '/v1/models', userOf('u1', []))).toBe(true);
    expect(routeAllowed(policy, '/v1/models', userOf('x', ['g3']))).toBe(false);
  });

  test('with nobody admitted only the public routes answer', () => {
    const closed = serverAuth({ apiServerUrl: 'https://kubernetes.default.svc', caFile: '/ca.crt', groups: [], users: [] }).route_policy as any[];
    expect(routeAllowed(closed, '/v1/health', undefined)).toBe(true);
    expect(routeAllowed(closed, '/v1/models', userOf('x', ['g1']))).toBe(false);
  });
});

type LlamaInput = NonNullable<EnvironmentInput['llamaStack']>;
const VLLM = { kind: 'vllm', url: 'http://vllm.test.internal:8000/v1' } as const;
const withLlama = (over: LlamaInput = {}): EnvironmentInput =>
  minimalEnv({ kubernetesMcp: { enabled: true }, llamaStack: { enabled: true, inference: VLLM, ...over } });
const field = (f: string) => `environments.test.llamaStack.${f}`;
const authOf = (over: LlamaInput = {}) => applyDefaults(withLlama(over)).llamaStack.auth;
const REASON = 'a lab cluster on an isolated network with no other users';

describe('auth defaults', () => {
  test('kubernetes as soon as the API has an ingress host or client namespaces; the ServiceAccounts of the client namespaces are admitted', () => {
    expect(authOf({ clientNamespaces: ['agents', 'apps'] })).toMatchObject({ mode: 'kubernetes', clientGroups: ['system:serviceaccounts:agents', 'system:serviceaccounts:apps'], clientUsers: [] });
    expect(authOf({ ingressHost: 'ls.test.internal', auth: { clientGroups: ['team'] } }).mode).toBe('kubernetes');
  });

  test('none when nothing beyond its namespace may connect', () => {
    expect(authOf().mode).toBe('none');
  });
});

describe('bad auth configuration is refused naming the field', () => {
  test('none with an ingress host and no acknowledgement', () => {
    expectIssue([withLlama({ ingressHost: 'ls.test.internal', auth: { mode: 'none' } })], field('auth.mode'), /"none" while the API is reachable through ingressHost ls.test.internal/);
  });

  test('none with client namespaces and an acknowledgement that is no reason', () => {
    expectIssue([withLlama({ clientNamespaces: ['agents'], auth: { mode: 'none', noneAcknowledged: 'ok' } })], field('auth.noneAcknowledged'), /is not a reason/);
  });

  test('an acknowledged none is accepted', () => {
    expect(applyDefaults(withLlama({ clientNamespaces: ['agents'], auth: { mode: 'none', noneAcknowledged: REASON } })).llamaStack.auth.mode).toBe('none');
    expect(() => resolveEnvironments([withLlama({ clientNamespaces: ['agents'], auth: { mode: 'none', noneAcknowledged: REASON } })])).not.toThrow();
  });

  test('an acknowledgement with mode kubernetes', () => {
    expectIssue([withLlama({ clientNamespaces: ['agents'], auth: { noneAcknowledged: REASON } })], field('auth.noneAcknowledged'), /does not take/);
  });

  test('kubernetes behind an ingress host admitting nobody', () => {
    expectIssue([withLlama({ ingressHost: 'ls.test.internal' })], field('auth.clientGroups'), /admits nobody/);
  });

  test('an unknown mode', () => {
    expect(issuesOf(withLlama({ auth: { mode: 'oidc' as 'none' } })).map((i) => i.field)).toContain(field('auth.mode'));
  });

  test('a group with a space (a route-policy condition is split on whitespace) and a duplicate user', () => {
    const fields = issuesOf(withLlama({ clientNamespaces: ['agents'], auth: { clientGroups: ['my team'], clientUsers: ['u', 'u'] } })).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining([field('auth.clientGroups[0]'), field('auth.clientUsers[1]')]));
  });

  test('an API server URL that is not https', () => {
    expectIssue([withLlama({ clientNamespaces: ['agents'], auth: { apiServerUrl: 'http://10.0.0.1:6443' } })], field('auth.apiServerUrl'), /not an https URL/);
  });
});

describe('CONNECT.md says how to send a token', () => {
  test.each(stacks.map((s) => [s.deployment.env, s] as const))('dist/%s', (env, s) => {
    const text = fs.readFileSync(path.join(root, 'dist', env, 'CONNECT.md'), 'utf8');
    const section = text.slice(text.indexOf('## Llama Stack'));
    const auth = (s.runConfig as any).server.auth;
    if (!auth) {
      expect(section).toMatch(/No authentication/);
      return;
    }
    expect(section).toMatch(/Authorization: Bearer \$LLAMA_STACK_TOKEN/);
    for (const rule of auth.route_policy.filter((r: any) => r.permit && r.when)) expect(section).toContain(`\`${/^user with (\S+) in roles$/.exec(rule.when)![1]}\``);
    for (const rule of auth.route_policy.filter((r: any) => r.forbid)) for (const p of rule.forbid.paths) expect(section).toContain(`\`${p}\``);
  });
});

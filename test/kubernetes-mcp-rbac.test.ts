/**
 * RBAC profiles of the Kubernetes MCP server. `read-only` (default) grants no write verb and runs
 * the server read-only; `operator` grants exactly seed 002's CRUD set, turns the server's
 * read-only and non-destructive modes off (checked with the real binary), warns loudly in
 * CONNECT.md and on synth's console, and fails the policy suite until the environment
 * acknowledges the risk in its config.
 */
import { parse as parseToml } from 'smol-toml';
import { main } from '../lib/cli';
import { EnvironmentInput } from '../lib/config/types';
import { formatPolicyTable, runPolicy } from '../lib/policy/run';
import { WRITE_VERBS } from '../lib/policy/checks-rbac';
import { expectIssue } from './support/config-issues';
import { minimalEnv, tempDir } from './support/environments';
import { freePort, mcpClient, startServerFromManifests } from './support/kubernetes-mcp-server';
import { find, objectsOf } from './support/objects';
import { synthesizedDist } from './support/synthesized-dist';

const ACK = 'Agents of the platform team redeploy workloads in the staging cluster.';
const k8sMcp = (over: NonNullable<EnvironmentInput['kubernetesMcp']> = {}, name = 'test'): EnvironmentInput =>
  minimalEnv({ name, penpot: { enabled: false }, kubernetesMcp: { enabled: true, ...over } });

/** Rules granted to the server's ServiceAccount by ClusterRoles of the objects (built-in `view` by name only). */
function grants(objects: any[]): { role: string; rules: any[] }[] {
  const bound = objects.filter((o) => o.kind === 'ClusterRoleBinding'
    && o.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === 'kubernetes-mcp-server')).map((b) => b.roleRef.name);
  return bound.map((role) => ({ role, rules: objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === role)?.rules ?? 'built-in' }));
}

const tomlOf = (objects: any[]) => parseToml(find(objects, 'ConfigMap', 'kubernetes-mcp-server').data['config.toml']) as any;

describe('read-only profile (default)', () => {
  const objects = objectsOf(k8sMcp());

  test('grants no write verb: view plus nodes and events only', () => {
    const g = grants(objects);
    expect(g.map((x) => x.role).sort()).toEqual(['mcp-system-kubernetes-mcp-server-nodes', 'view']);
    const verbs = g.flatMap((x) => (Array.isArray(x.rules) ? x.rules.flatMap((r: any) => r.verbs) : []));
    expect(verbs.filter((v: string) => (WRITE_VERBS as readonly string[]).includes(v) || v === '*')).toEqual([]);
  });

  test('runs the server read-only and non-destructive, Secrets denied', () => {
    expect(tomlOf(objects)).toMatchObject({ read_only: true, disable_destructive: true, denied_resources: [{ group: '', version: 'v1', kind: 'Secret' }] });
  });
});

describe('operator profile', () => {
  const objects = objectsOf(k8sMcp({ rbacProfile: 'operator', rbacRiskAcknowledged: ACK }));
  const role = find(objects, 'ClusterRole', 'mcp-system-kubernetes-mcp-server-operator');

  test('grants exactly seed 002\'s CRUD set on pods, services, configmaps, secrets, deployments, jobs and cronjobs', () => {
    const crud = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'secrets'], verbs: crud },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: crud },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: crud },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'mcp-system-kubernetes-mcp-server-operator').subjects)
      .toEqual([{ kind: 'ServiceAccount', name: 'kubernetes-mcp-server', namespace: 'mcp-system' }]);
  });

  test('keeps the read-only grants and adds nothing else (no exec, no wildcard, no cluster-admin)', () => {
    expect(grants(objects).map((g) => g.role).sort())
      .toEqual(['mcp-system-kubernetes-mcp-server-nodes', 'mcp-system-kubernetes-mcp-server-operator', 'view']);
    expect(JSON.stringify(role.rules)).not.toMatch(/\*|exec|attach|escalate|bind|impersonate/);
  });

  test('turns read_only and disable_destructive off so that the tools match the grants', () => {
    const toml = tomlOf(objects);
    expect(toml).toMatchObject({ read_only: false, disable_destructive: false });
    expect(toml.denied_resources).toBeUndefined();
    expect(toml.disabled_tools).toContain('configuration_view');
  });

  test('the ClusterRole carries the acknowledgement', () => {
    expect(role.metadata.annotations).toEqual({ 'penpot-mcp-platform/risk-acknowledged': ACK });
  });
});

describe('operator profile, run for real', () => {
  test('the real binary with the operator TOML offers write tools that the read-only TOML hides', async () => {
    const tools = async (input: EnvironmentInput): Promise<{ name: string; readOnly: boolean }[]> => {
      const objects = objectsOf(input);
      const server = await startServerFromManifests({
        deployment: find(objects, 'Deployment', 'kubernetes-mcp-server'), configMaps: objects.filter((o) => o.kind === 'ConfigMap'),
        portOverride: await freePort(),
      });
      try {
        const client = await mcpClient(server.url('/mcp'));
        try {
          return (await client.listTools()).tools.map((t) => ({ name: t.name, readOnly: t.annotations?.readOnlyHint === true }));
        } finally {
          await client.close();
        }
      } finally {
        await server.stop();
      }
    };
    const readOnly = await tools(k8sMcp());
    const operator = await tools(k8sMcp({ rbacProfile: 'operator', rbacRiskAcknowledged: ACK }));
    expect(readOnly.filter((t) => !t.readOnly)).toEqual([]);
    const writes = operator.filter((t) => !t.readOnly).map((t) => t.name);
    expect(writes).toEqual(expect.arrayContaining(['resources_create_or_update', 'resources_delete', 'pods_delete']));
    expect(operator.map((t) => t.name)).not.toContain('configuration_view');
  }, 60000);
});

describe('operator profile, loud', () => {
  const env = k8sMcp({ rbacProfile: 'operator', rbacRiskAcknowledged: ACK, ingressHost: 'k8s-mcp.test.internal' });
  const { read } = synthesizedDist(env);

  test('CONNECT.md opens with a warning block before any URL', () => {
    const connect = read('test/CONNECT.md');
    const warning = connect.indexOf('> **RISK: WRITE ACCESS TO THE CLUSTER.**');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(connect.indexOf('http'));
    expect(connect).toMatch(/> `kubernetes`: This server runs with the OPERATOR RBAC profile: .*secrets.* in every namespace/);
    expect(connect).toContain('Kubernetes MCP server (OPERATOR profile: writes to the cluster)');
  });

  test('a read-only environment\'s CONNECT.md has no warning block', () => {
    expect(synthesizedDist(k8sMcp()).read('test/CONNECT.md')).not.toContain('RISK');
  });

  test('synth prints the warning on the console', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(main([env], ['--outdir', tempDir()], process.cwd())).toBe(0);
      const printed = warn.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/!!! WARNING !!! environments\.test: kubernetesMcp\.rbacProfile is 'operator'.*EVERY namespace.*Acknowledged in config/);
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
  });
});

describe('operator profile in the policy suite', () => {
  const failedOn = (input: EnvironmentInput) => {
    const report = runPolicy(synthesizedDist(input).dist);
    return { report, failed: report.results.filter((r) => r.status === 'failed').map((r) => `${r.check} ${r.object}`) };
  };

  test('fails on the ClusterRole (write access and Secrets) while the risk is not acknowledged', () => {
    const { failed, report } = failedOn(k8sMcp({ rbacProfile: 'operator' }));
    expect(failed.sort()).toEqual([
      'rbac/secrets ClusterRole mcp-system-kubernetes-mcp-server-operator',
      'rbac/write-access ClusterRole mcp-system-kubernetes-mcp-server-operator',
    ]);
    expect(formatPolicyTable(report)).toContain('acknowledge it with annotation penpot-mcp-platform/risk-acknowledged');
  });

  test('reports it as exempt, with the environment\'s reason, once acknowledged', () => {
    const { failed, report } = failedOn(k8sMcp({ rbacProfile: 'operator', rbacRiskAcknowledged: ACK }));
    expect(failed).toEqual([]);
    expect(report.counts.failed).toBe(0);
    const exempt = report.results.filter((r) => r.object === 'ClusterRole mcp-system-kubernetes-mcp-server-operator' && r.status === 'exempt');
    expect(exempt.map((r) => r.check).sort()).toEqual(['rbac/secrets', 'rbac/write-access']);
    for (const r of exempt) for (const v of r.exempted) expect(v.reason).toBe(`acknowledged in the environment's config: ${ACK}`);
  });

  test('acknowledged Helm release access passes the policy suite as an exemption carrying the reason', () => {
    const reason = 'agents read Helm releases to debug failed upgrades here';
    const { failed, report } = failedOn(k8sMcp({ helmReleaseAccess: true, helmReleaseAccessAcknowledged: reason }));
    expect(failed).toEqual([]);
    const exempt = report.results.filter((r) => r.object === 'ClusterRole mcp-system-kubernetes-mcp-server-helm-releases' && r.status === 'exempt');
    expect(exempt.map((r) => r.check)).toEqual(['rbac/secrets']);
    expect(exempt[0].exempted[0].reason).toBe(`acknowledged in the environment's config: ${reason}`);
  });

  test('the acknowledgement waives nothing but write and Secret grants (a wildcard still fails)', () => {
    const dist = synthesizedDist(k8sMcp({ rbacProfile: 'operator', rbacRiskAcknowledged: ACK })).dist;
    const objects = dist.objects.map((o) => (o.doc.kind === 'ClusterRole' && o.doc.metadata.name.endsWith('-operator')
      ? { ...o, doc: { ...o.doc, rules: [...o.doc.rules, { apiGroups: ['*'], resources: ['deployments'], verbs: ['get'] }] } } : o));
    const failed = runPolicy({ objects }).results.filter((r) => r.status === 'failed').map((r) => r.check);
    expect(failed).toEqual(['rbac/wildcard']);
  });
});

describe('RBAC profile configuration errors name the field', () => {
  test('an unknown profile', () => {
    expectIssue([k8sMcp({ rbacProfile: 'admin' as never })], 'environments.test.kubernetesMcp.rbacProfile', /allowed: read-only, operator/);
  });

  test('an acknowledgement without the operator profile', () => {
    expectIssue([k8sMcp({ rbacRiskAcknowledged: ACK })], 'environments.test.kubernetesMcp.rbacRiskAcknowledged', /does not take/);
  });

  test('an acknowledgement that gives no reason', () => {
    expectIssue([k8sMcp({ rbacProfile: 'operator', rbacRiskAcknowledged: 'yes' })], 'environments.test.kubernetesMcp.rbacRiskAcknowledged', /not a reason/);
  });
});

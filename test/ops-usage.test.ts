/**
 * The operations scripts before and without a cluster: usage errors are found before kubectl is
 * touched (exit 2), a missing kubeconfig, a missing current context and an unreachable cluster each
 * give one line and a hint (not kubectl's repeated noise), and `--offline` prints the plan for an
 * empty cluster with no kubectl at all. Runs the real scripts against the recording stand-in
 * (test/support/fake-kubectl.js). The environments are the first configured ones with the app.
 */
import { ENVIRONMENTS } from '../lib/environments';
import { loadOpsEnvironment } from '../lib/ops/environment';
import { buildEnvironment } from '../lib/platform';
import { fakeCluster, REPO_ROOT } from './support/fake-cluster';
import { configuredEnvironments } from './support/configured';

jest.setTimeout(180_000);

const withApp = (app: string) => configuredEnvironments().find((e) => buildEnvironment(e).apps.some((a) => a.name === app));
const penpotEnv = withApp('penpot')!;
const ctx = penpotEnv.operations.kubeContext;
const env = penpotEnv.name;
const anywhere = () => fakeCluster({ currentContext: ctx });

describe('usage errors: exit 2, the usage, and no kubectl call', () => {
  test.each([
    ['secrets', ['--env', 'no-such-env'], '--env "no-such-env" is not an environment; allowed: '],
    ['secrets', [], '--env is required; allowed: '],
    ['secrets', ['--env', env, '--rotate', 'no-such-secret'], '--rotate no-such-secret: no such Secret in the contract of'],
    ['secrets', ['--env', env, '--dry-run', '--offline'], '--dry-run and --offline exclude each other'],
    ['up', ['--env', env], `--app is required; allowed for ${env}: `],
    ['up', ['--env', env, '--app', 'no-such-app'], '--app "no-such-app" is not an app of'],
    ['up', ['--env', env, '--app', 'penpot', '--timeout', 'soon'], '--timeout "soon" is not a duration'],
    ['up', ['--env', env, '--app', 'penpot', '--node-ip', 'a b'], '--node-ip "a b" is not an address'],
    ['up', ['--env', env, '--app', 'penpot', 'extra'], "Unexpected argument 'extra'"],
    ['down', ['--env', env, '--app', 'penpot', '--delete-namespace'], 'add --delete-data to confirm'],
    ['down', ['--env', env, '--app', 'penpot', '--force'], "Unknown option '--force'"],
  ] as const)('%s %j', (script, args, message) => {
    const r = anywhere().run(script, args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(`Usage: npm run ${script} --`);
    expect(r.calls).toEqual([]);
  });
});

describe('no cluster: one line and a hint', () => {
  const errorLines = (stderr: string) => stderr.trim().split('\n');

  test('without a kubeconfig', () => {
    const r = fakeCluster({ contexts: [] }).run('up', ['--env', env, '--app', 'penpot']);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      'kubectl has no kubeconfig with a context (it reads $KUBECONFIG, else ~/.kube/config). Nothing was done.',
      expect.stringMatching(/^Hint: point KUBECONFIG at the cluster's kubeconfig .*--offline/),
    ]);
  });

  test('with contexts but no current one', () => {
    const r = fakeCluster({ contexts: ['lab', 'prod'] }).run('secrets', ['--env', env]);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      "kubectl's kubeconfig has no current context (its contexts: lab, prod). Nothing was done.",
      expect.stringContaining(`Hint: \`kubectl config use-context ${ctx}\``),
    ]);
  });

  test.each([
    ['secrets', ['--env', env]],
    ['up', ['--env', env, '--app', 'penpot']],
    ['down', ['--env', env, '--app', 'penpot']],
  ] as const)('%s with the cluster unreachable: the last line of kubectl once, not its five retries', (script, args) => {
    const r = fakeCluster({ currentContext: ctx, unreachable: true }).run(script, args, { PENPOT_POSTGRES__POSTGRES_USER: 'penpot' });
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      `The cluster of context ${ctx} is unreachable: The connection to the server 10.8.0.1:6443 was refused - did you specify the right host or port?`,
      expect.stringContaining(`Hint: check that its API server is up and that this machine reaches it (VPN, WireGuard, firewall): \`kubectl --context ${ctx} cluster-info\`.`),
    ]);
    expect(r.stderr).not.toContain('memcache.go');
  });
});

describe('--offline: the plan for an empty cluster, without kubectl', () => {
  const noKubectl = () => fakeCluster({}, { withKubectl: false });

  test('secrets: creates every Namespace and Secret of the contract', () => {
    const r = noKubectl().run('secrets', ['--env', env, '--offline'], { PENPOT_POSTGRES__POSTGRES_USER: 'penpot' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Offline: the plan for an empty cluster (kubectl was not called');
    const model = loadOpsEnvironment(ENVIRONMENTS, env, REPO_ROOT);
    for (const s of model.secrets.filter((x) => !x.optional)) expect(r.stdout).toMatch(new RegExp(`create\\s+${s.namespace}/${s.name}\\s`));
    expect(r.stdout).toContain(`kubectl --context ${ctx} create -f -   # stdin: Secret`);
    expect(r.calls).toEqual([]);
  });

  test('up: the Secrets first, then the apply and the rollouts, then how to connect', () => {
    const r = noKubectl().run('up', ['--env', env, '--app', 'penpot', '--offline']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`first: \`npm run secrets -- --env ${env}\` creates`);
    expect(r.stdout).toContain(`kubectl --context ${ctx} apply --server-side --field-manager=penpot-mcp-platform`);
    expect(r.stdout).toMatch(/rollout status statefulset\/penpot-postgres --timeout=300s/);
    expect(r.stdout).toContain(`Connect to ${env}/penpot:`);
    expect(r.calls).toEqual([]);
  });

  test('down: the deletes, what it keeps', () => {
    const r = noKubectl().run('down', ['--env', env, '--app', 'penpot', '--offline']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/kubectl --context \S+ -n penpot delete --ignore-not-found /);
    expect(r.stdout).toContain('keep   PersistentVolumeClaims');
    expect(r.calls).toEqual([]);
  });
});

const kmcpEnv = withApp('mcp-servers');
(kmcpEnv ? describe : describe.skip)('up --app mcp-servers needs kMCP first', () => {
  const name = kmcpEnv?.name ?? '';
  const context = kmcpEnv?.operations.kubeContext ?? '';

  test('--offline says that kMCP\'s CRDs and controller must be installed first, and how', () => {
    const r = fakeCluster({}, { withKubectl: false }).run('up', ['--env', name, '--app', 'mcp-servers', '--offline']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("needs mcpservers.kagent.dev (MCPServer): kMCP's CRDs and controller must be installed first: "
      + `in Argo CD sync ${name}-kmcp-crds, then ${name}-kmcp`);
  });

  test('without the MCPServer CRD it refuses and applies nothing', () => {
    const cluster = fakeCluster({ currentContext: context });
    const before = cluster.stateText();
    const r = cluster.run('up', ['--env', name, '--app', 'mcp-servers']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: CustomResourceDefinition mcpservers.kagent.dev is missing, so MCPServer objects cannot be applied: kMCP's CRDs and controller must be installed first");
    expect(r.calls.some((c) => c.argv.includes('apply'))).toBe(false);
    expect(cluster.stateText()).toBe(before);
  });

  test('with the CRDs in the cluster it applies the folder', () => {
    const cluster = fakeCluster({ currentContext: context, crds: ['mcpservers.kagent.dev', 'remotemcpservers.kagent.dev'] });
    const r = cluster.run('up', ['--env', name, '--app', 'mcp-servers']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('found CustomResourceDefinition mcpservers.kagent.dev (MCPServer)');
    expect(Object.keys(cluster.state().objects).some((k) => k.startsWith('MCPServer/'))).toBe(true);
  });
});

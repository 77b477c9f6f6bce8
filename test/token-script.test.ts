/**
 * `npm run token` end to end: the real script (scripts/token.ts through the register hook, as npm runs
 * it) against the recording kubectl stand-in (test/support/fake-kubectl.js), whose fake cluster holds
 * the synthesized ServiceAccounts. The environment is derived from ENVIRONMENTS (one with kagent, whose
 * reader is built in), not hard-coded.
 */
import * as fs from 'node:fs';
import { resolveEnvironments } from '../lib/config/resolve';
import { resolveKubernetesMcpIdentity, readerServiceAccount } from '../lib/config/kubernetes-mcp-auth';
import { ENVIRONMENTS } from '../lib/environments';
import { fakeCluster } from './support/fake-cluster';

const env = resolveEnvironments(ENVIRONMENTS).find((e) => e.kubernetesMcp.enabled && resolveKubernetesMcpIdentity(e).readers.length > 0)!;
const reader = resolveKubernetesMcpIdentity(env).readers[0];
const ns = env.kubernetesMcp.namespace;
const ctx = env.operations.kubeContext;
const withReader = () => fakeCluster({
  currentContext: ctx,
  objects: {
    [`Namespace//${ns}`]: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    [`ServiceAccount/${ns}/${readerServiceAccount(reader)}`]: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: readerServiceAccount(reader), namespace: ns } },
  },
});

test('an environment of the repository has a reader (the test needs one)', () => {
  expect(env).toBeDefined();
});

describe('a reader of the environment', () => {
  const cluster = withReader();
  const before = cluster.stateText();
  const r = cluster.run('token', ['--env', env.name, '--reader', reader, '--duration', '2h']);

  test('stdout is the token alone, from kubectl create token with the environment\'s --context', () => {
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`fake-token.${ns}.${readerServiceAccount(reader)}.2h\n`);
    expect(r.calls.map((c) => c.argv)).toEqual([['--context', ctx, '-n', ns, 'create', 'token', readerServiceAccount(reader), '--duration', '2h']]);
  });

  test('stderr has the client snippets, which name the variable and never the token', () => {
    expect(r.stderr).toContain(`export K8S_MCP_TOKEN="$(npm run -s token -- --env ${env.name} --reader ${reader} --duration 2h)"`);
    expect(r.stderr).toContain('bearer_token_env_var = "K8S_MCP_TOKEN"');
    expect(r.stderr).toContain('"Authorization": "Bearer ${K8S_MCP_TOKEN}"');
    expect(r.stderr).not.toContain('fake-token');
  });

  test('nothing is written: the cluster state and the repository keep no token', () => {
    expect(cluster.stateText()).toBe(before);
    expect(fs.readdirSync(cluster.dir).sort()).toEqual(['bin', 'calls.jsonl', 'state.json']);
    expect(fs.readFileSync(`${cluster.dir}/calls.jsonl`, 'utf8')).not.toContain('fake-token');
  });
});

test('the duration defaults to 24h', () => {
  const r = withReader().run('token', ['--env', env.name, '--reader', reader]);
  expect(r.status).toBe(0);
  expect(r.calls[0].argv.slice(-2)).toEqual(['--duration', '24h']);
});

test('a name that is no reader is refused before kubectl runs, listing the readers', () => {
  const r = withReader().run('token', ['--env', env.name, '--reader', 'mallory']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`"mallory" is not a reader of ${env.name}; allowed: ${resolveKubernetesMcpIdentity(env).readers.join(', ')}`);
  expect(r.calls).toEqual([]);
});

test('a missing ServiceAccount (not synced yet) fails with kubectl\'s message', () => {
  const r = fakeCluster({ currentContext: ctx }).run('token', ['--env', env.name, '--reader', reader]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`serviceaccounts "${readerServiceAccount(reader)}" not found`);
  expect(r.stdout).toBe('');
});

test.each([
  [['--reader', 'x'], /--env is required/],
  [['--env', 'x-does-not-exist', '--reader', 'x'], /is not an environment/],
  [['--env', 'E', '--reader', 'x', '--duration', 'tomorrow'], /is not a duration/],
  [['--env', 'E', '--readr', 'x'], /Unknown option '--readr'/],
])('bad usage %j exits 2 without kubectl', (args, message) => {
  const r = withReader().run('token', (args as string[]).map((a) => (a === 'E' ? env.name : a)));
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message as RegExp);
  expect(r.calls).toEqual([]);
});

describe('--write-secret (kagent\'s header Secret)', () => {
  const kagentEnv = resolveEnvironments(ENVIRONMENTS).find((e) => e.kubernetesMcp.enabled && resolveKubernetesMcpIdentity(e).readers.includes('kagent'))!;
  const kns = kagentEnv.kubernetesMcp.namespace;
  const kctx = kagentEnv.operations.kubeContext;
  const cluster = fakeCluster({
    currentContext: kctx,
    objects: {
      [`Namespace//${kns}`]: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: kns } },
      [`ServiceAccount/${kns}/kubernetes-mcp-reader-kagent`]: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kubernetes-mcp-reader-kagent', namespace: kns } },
    },
  });
  const r = cluster.run('token', ['--env', kagentEnv.name, '--reader', 'kagent', '--duration', '8760h', '--write-secret']);

  test('applies the Secret kagent reads, with "Bearer <token>", the manifest on stdin only', () => {
    expect(r.status).toBe(0);
    expect(r.calls.map((c) => c.argv)).toEqual([
      ['--context', kctx, '-n', kns, 'create', 'token', 'kubernetes-mcp-reader-kagent', '--duration', '8760h'],
      ['--context', kctx, 'apply', '--server-side', '--field-manager=penpot-mcp-platform', '-f', '-'],
    ]);
    expect(r.calls[1].stdinObjects).toEqual([`Secret ${kns}/kubernetes-mcp-kagent-credential`]);
    const secret = cluster.state().objects[`Secret/${kns}/kubernetes-mcp-kagent-credential`];
    expect(secret.stringData).toEqual({ authorization: `Bearer fake-token.${kns}.kubernetes-mcp-reader-kagent.8760h` });
  });

  test('prints no token', () => {
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('fake-token');
  });

  test('is refused for any other reader', () => {
    const other = cluster.run('token', ['--env', kagentEnv.name, '--reader', 'alice', '--write-secret']);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('--write-secret is only for --reader kagent');
  });
});

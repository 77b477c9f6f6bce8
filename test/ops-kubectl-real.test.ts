/**
 * Cross-checks against the real kubectl, offline (`--dry-run=client` needs no API server): the
 * Secret manifests `npm run secrets` pipes are what `kubectl create secret generic` itself would
 * send, and the key-listing go-template prints what the planner parses. The other tests do not
 * need kubectl; this one runs where it is installed and is skipped (and says so) elsewhere.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveEnvironments } from '../lib/config/resolve';
import { buildOpsEnvironment } from '../lib/ops/environment';
import { parseSecretKeys, SECRET_KEYS_TEMPLATE } from '../lib/ops/kubectl';
import { planSecrets } from '../lib/ops/secrets-plan';
import { readFailure } from '../lib/ops/run';
import { configuredEnvironments } from './support/configured';
import { minimalEnv, tempDir } from './support/environments';

const found = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const haveKubectl = found.status === 0;
if (!haveKubectl) console.warn('kubectl is not on PATH: skipping the cross-checks against the real kubectl');

function kubectl(args: string[]): string {
  const r = spawnSync('kubectl', args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

(haveKubectl ? describe : describe.skip)('against the real kubectl (offline)', () => {
  test('the piped Secret carries the same type and data as kubectl create secret generic', () => {
    const model = buildOpsEnvironment(resolveEnvironments([minimalEnv()])[0]);
    let n = 0;
    const plan = planSecrets(model, { namespaces: new Set(['penpot']), secrets: new Map(), liveData: new Map() },
      { rotate: [], variables: { PENPOT_POSTGRES__POSTGRES_USER: 'pén-pot ü' } },
      { randomHex: (bytes) => `${n++}`.repeat(bytes * 2).slice(0, bytes * 2), readFile: () => Buffer.alloc(0) });
    const ours = JSON.parse(plan.calls.find((c) => c.stdin?.includes('penpot-postgres'))!.stdin!);
    const password = Buffer.from(ours.data.POSTGRES_PASSWORD, 'base64').toString('utf8');
    const theirs = JSON.parse(kubectl(['create', 'secret', 'generic', 'penpot-postgres', '-n', 'penpot', '--dry-run=client', '-o', 'json',
      '--from-literal=POSTGRES_USER=pén-pot ü', `--from-literal=POSTGRES_PASSWORD=${password}`]));
    expect(ours.data).toEqual(theirs.data);
    expect(ours.type ?? 'Opaque').toBe(theirs.type ?? 'Opaque');
    expect({ kind: ours.kind, apiVersion: ours.apiVersion, name: ours.metadata.name, namespace: ours.metadata.namespace })
      .toEqual({ kind: theirs.kind, apiVersion: theirs.apiVersion, name: theirs.metadata.name, namespace: theirs.metadata.namespace });
  });

  test('the go-template lists a Secret\'s key names and never its values', () => {
    // Applied to one object, the per-item part of the template (a list wraps each Secret in {{range .items}}).
    const perItem = SECRET_KEYS_TEMPLATE.replace(/^\{\{range \.items\}\}/, '').replace(/\{\{end\}\}$/, '');
    const out = kubectl(['create', 'secret', 'generic', 'penpot-smtp', '--dry-run=client', `-o=go-template=${perItem}`,
      '--from-literal=PENPOT_SMTP_PASSWORD=hunter2', '--from-literal=tls.crt=x']);
    expect(out).not.toContain('hunter2');
    expect(parseSecretKeys(out)).toEqual(new Map([['penpot-smtp', ['PENPOT_SMTP_PASSWORD', 'tls.crt']]]));
  });

  /** A kubeconfig whose only context points at a closed loopback port (nothing listens on port 1). */
  function kubeconfig(currentContext: string): string {
    const file = path.join(tempDir('kubeconfig-'), 'config');
    fs.writeFileSync(file, ['apiVersion: v1', 'kind: Config', 'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: x}}]', 'contexts: [{name: lab, context: {cluster: c, user: u}}]', `current-context: "${currentContext}"`].join('\n'));
    return file;
  }

  /** Runs `npm run <script>` (as npm does) with only the real kubectl on PATH and this kubeconfig. */
  function runScript(script: string, args: string[], kubeconfigFile: string) {
    const bin = tempDir('real-kubectl-bin-');
    const real = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(real, path.join(bin, 'kubectl'));
    return spawnSync(process.execPath, ['-r', './scripts/register.js', `scripts/${script}.ts`, ...args], {
      cwd: path.resolve(__dirname, '..'), encoding: 'utf8', env: { PATH: bin, HOME: bin, KUBECONFIG: kubeconfigFile },
    });
  }

  test('an unreachable API server: real kubectl\'s retries become one line and a hint', () => {
    const args = ['--context', 'lab', 'get', 'namespace', 'penpot', '--ignore-not-found', '-o', 'name'];
    const r = spawnSync('kubectl', args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig('lab') } });
    expect(r.status).not.toBe(0);
    const [line, hint, ...rest] = readFailure('lab', args, { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }).split('\n');
    expect(line).toMatch(/^The cluster of context lab is unreachable: .*127\.0\.0\.1:1/);
    expect(hint).toMatch(/^Hint: .*kubectl --context lab cluster-info/);
    expect(rest).toEqual([]);
  });

  test('a kubeconfig without a current context: the script names its contexts and the command to pick one', () => {
    const env = configuredEnvironments()[0];
    const r = runScript('secrets', ['--env', env.name], kubeconfig(''));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      "kubectl's kubeconfig has no current context (its contexts: lab). Nothing was done.",
      expect.stringContaining(`Hint: \`kubectl config use-context ${env.operations.kubeContext}\``),
    ]);
  });

  test('no kubeconfig at all: the script says so in one line and a hint', () => {
    const env = configuredEnvironments()[0];
    const r = runScript('secrets', ['--env', env.name], path.join(tempDir('no-kubeconfig-'), 'missing'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'kubectl has no kubeconfig with a context (it reads $KUBECONFIG, else ~/.kube/config). Nothing was done.',
      expect.stringMatching(/^Hint: point KUBECONFIG at the cluster's kubeconfig/),
    ]);
  });
});

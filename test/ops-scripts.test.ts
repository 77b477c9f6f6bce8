/**
 * End to end: `npm run secrets`, `up` and `down` (scripts/*.ts, run as npm runs them) against a
 * recording kubectl stand-in that keeps a fake cluster in a JSON file (test/support/fake-kubectl.js).
 * Checks the exact kubectl calls, that values travel only on stdin, and that a second run changes
 * nothing (the state file stays byte for byte the same).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synth } from '../lib/cli';
import { ENVIRONMENTS } from '../lib/environments';
import { loadOpsEnvironment, OpsError } from '../lib/ops/environment';
import { SECRET_KEYS_TEMPLATE } from '../lib/ops/kubectl';
import { fakeCluster, FakeCluster, LoggedCall, REPO_ROOT, RunResult, secretValues } from './support/fake-cluster';
import { snapshotTree, tempDir } from './support/environments';

jest.setTimeout(180_000);

const argvs = (r: RunResult) => r.calls.map((c) => c.argv.join(' '));
const GET_SECRETS = `-n penpot get secrets -o go-template=${SECRET_KEYS_TEMPLATE}`;
const SSA = 'apply --server-side --field-manager=penpot-mcp-platform';
const OPERATOR = {
  PENPOT_POSTGRES__POSTGRES_USER: 'penpot',
  // The off-node repository's password and rest-server login (homelab copies sets off the node).
  PENPOT_BACKUP_OFFSITE__RESTIC_PASSWORD: 'a long passphrase kept outside',
  PENPOT_BACKUP_OFFSITE__RESTIC_REST_USERNAME: 'homelab-backup',
  PENPOT_BACKUP_OFFSITE__RESTIC_REST_PASSWORD: 'rest-server-secret',
  // The Penpot account the export MCP server logs in as.
  PENPOT_EXPORT_ACCOUNT__PENPOT_EXPORT_EMAIL: 'export-bot@finalq.xyz',
  PENPOT_EXPORT_ACCOUNT__PENPOT_EXPORT_PASSWORD: 'an export account password',
};

function expectOk(r: RunResult): void {
  if (r.status !== 0) throw new Error(`exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

/** A homelab cluster (context `default`) with its Secrets created, as after `npm run secrets`. */
function homelabWithSecrets(): FakeCluster {
  const cluster = fakeCluster({ currentContext: 'default' });
  expectOk(cluster.run('secrets', ['--env', 'homelab'], OPERATOR));
  return cluster;
}

const homelabRollouts = [
  'statefulset/penpot-postgres', 'deployment/penpot-valkey', 'deployment/penpot-mcp',
  'deployment/penpot-backend', 'deployment/penpot-frontend', 'deployment/penpot-exporter', 'deployment/penpot-export',
].map((w) => `--context default -n penpot rollout status ${w} --timeout=300s`);

describe('npm run secrets', () => {
  let cluster: FakeCluster;
  let first: RunResult;
  const distBefore = snapshotTree(path.join(REPO_ROOT, 'dist'));

  beforeAll(() => {
    cluster = fakeCluster({ currentContext: 'default' });
    first = cluster.run('secrets', ['--env', 'homelab'], OPERATOR);
  });

  test('creates the Namespace and each missing Secret with exactly these calls', () => {
    expectOk(first);
    expect(argvs(first)).toEqual([
      '--context default config current-context',
      '--context default get namespace penpot --ignore-not-found -o name',
      `--context default ${SSA} -f -`,
      '--context default create -f -',
      '--context default create -f -',
      '--context default create -f -',
      '--context default create -f -',
      '--context default create -f -',
    ]);
    expect(first.calls.map((c) => c.stdinObjects)).toEqual([[], [], ['Namespace penpot'], ['Secret penpot/penpot-secret-key'], ['Secret penpot/penpot-postgres'],
      ['Secret penpot/penpot-backup-offsite'], ['Secret penpot/penpot-export-account'], ['Secret penpot/penpot-export-mcp-token']]);
  });

  test('the cluster holds strong random values and the operator\'s value', () => {
    const secrets = cluster.state().objects;
    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    expect(decode(secrets['Secret/penpot/penpot-secret-key'].data.PENPOT_SECRET_KEY)).toMatch(/^[0-9a-f]{128}$/);
    expect(decode(secrets['Secret/penpot/penpot-postgres'].data.POSTGRES_PASSWORD)).toMatch(/^[0-9a-f]{64}$/);
    expect(decode(secrets['Secret/penpot/penpot-postgres'].data.POSTGRES_USER)).toBe('penpot');
  });

  test('values travel only on stdin: in no argument and in no output line', () => {
    const values = secretValues(cluster).filter((v) => v !== 'penpot' && v !== 'cGVucG90');
    // Three random values (secret key, database password, export MCP token), the three repository values and the
    // export account's two, each decoded and base64.
    expect(values).toHaveLength(16);
    const args = first.calls.flatMap((c: LoggedCall) => c.argv).join('\n');
    for (const v of values) {
      expect(args).not.toContain(v);
      expect(first.stdout).not.toContain(v);
      expect(first.stderr).not.toContain(v);
    }
    expect(first.calls.filter((c) => c.stdin).every((c) => c.argv.at(-1) === '-')).toBe(true);
  });

  test('writes nothing into dist/', () => {
    expect(snapshotTree(path.join(REPO_ROOT, 'dist'))).toEqual(distBefore);
  });

  test('a second run only reads and leaves the cluster byte for byte as it was', () => {
    const before = cluster.stateText();
    const again = cluster.run('secrets', ['--env', 'homelab']);
    expectOk(again);
    expect(argvs(again)).toEqual([
      '--context default config current-context',
      '--context default get namespace penpot --ignore-not-found -o name',
      `--context default ${GET_SECRETS}`,
    ]);
    expect(again.stdout).toContain('Nothing to do: every Secret exists.');
    expect(cluster.stateText()).toBe(before);
  });

  test('--dry-run prints the plan and changes nothing', () => {
    const empty = fakeCluster({ currentContext: 'default' });
    const before = empty.stateText();
    const r = empty.run('secrets', ['--env', 'homelab', '--dry-run'], OPERATOR);
    expectOk(r);
    expect(r.calls.every((c) => !c.stdin)).toBe(true);
    expect(r.stdout).toMatch(/create\s+penpot\/penpot-postgres\s+POSTGRES_USER from \$PENPOT_POSTGRES__POSTGRES_USER, POSTGRES_PASSWORD random \(32 bytes\)/);
    expect(r.stdout).toContain('Dry run: would run');
    expect(empty.stateText()).toBe(before);
  });

  test('--rotate replaces only that Secret, on stdin, and prints the restart', () => {
    const rotated = homelabWithSecrets();
    const old = rotated.state().objects;
    const r = rotated.run('secrets', ['--env', 'homelab', '--rotate', 'penpot-secret-key']);
    expectOk(r);
    expect(argvs(r).slice(3)).toEqual(['--context default replace -f -']);
    expect(r.calls[3].stdinObjects).toEqual(['Secret penpot/penpot-secret-key']);
    const now = rotated.state().objects;
    expect(now['Secret/penpot/penpot-secret-key'].data.PENPOT_SECRET_KEY).not.toBe(old['Secret/penpot/penpot-secret-key'].data.PENPOT_SECRET_KEY);
    expect(now['Secret/penpot/penpot-postgres']).toEqual(old['Secret/penpot/penpot-postgres']);
    expect(r.stdout).toContain('kubectl --context default -n penpot rollout restart deployment/penpot-backend deployment/penpot-exporter');
  });

  test('--rotate of the database login keeps the operator\'s user from the live Secret and warns about the database', () => {
    const rotated = homelabWithSecrets();
    const old = rotated.state().objects['Secret/penpot/penpot-postgres'].data;
    const r = rotated.run('secrets', ['--env', 'homelab', '--rotate', 'penpot/penpot-postgres']);
    expectOk(r);
    expect(argvs(r).slice(3)).toEqual(['--context default -n penpot get secret penpot-postgres -o json', '--context default replace -f -']);
    const now = rotated.state().objects['Secret/penpot/penpot-postgres'].data;
    expect(now.POSTGRES_USER).toBe(old.POSTGRES_USER);
    expect(now.POSTGRES_PASSWORD).not.toBe(old.POSTGRES_PASSWORD);
    expect(r.stdout).toContain('ALTER ROLE');
    for (const v of [now.POSTGRES_PASSWORD, Buffer.from(now.POSTGRES_PASSWORD, 'base64').toString('utf8')]) expect(r.stdout + r.stderr).not.toContain(v);
  });

  test('a missing operator value names Secret, key and variable, and nothing is created', () => {
    const empty = fakeCluster({ currentContext: 'default' });
    const before = empty.stateText();
    const r = empty.run('secrets', ['--env', 'homelab']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Secret penpot/penpot-postgres key POSTGRES_USER (Database user): set PENPOT_POSTGRES__POSTGRES_USER');
    expect(r.stderr).toContain('Nothing was created or changed.');
    expect(r.calls.every((c) => c.argv.includes('get') || c.argv.includes('config'))).toBe(true);
    expect(empty.stateText()).toBe(before);
  });
});

describe('npm run up', () => {
  test('refuses while a Secret is missing, pointing to npm run secrets, and applies nothing', () => {
    const empty = fakeCluster({ currentContext: 'default' });
    const r = empty.run('up', ['--env', 'homelab', '--app', 'penpot']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Secret penpot/penpot-secret-key is missing (read by Deployment/penpot-backend, Deployment/penpot-exporter); '
      + 'create it first: npm run secrets -- --env homelab');
    expect(argvs(r)).toEqual(['--context default config current-context', '--context default get namespace penpot --ignore-not-found -o name']);
  });

  test('checks the Secrets, applies the folder server-side, waits for each rollout; a second run changes nothing', () => {
    const cluster = homelabWithSecrets();
    const first = cluster.run('up', ['--env', 'homelab', '--app', 'penpot']);
    expectOk(first);
    const expected = [
      '--context default config current-context',
      // The app holds an Argo CD PostSync hook (the smoke Job): the other objects go on stdin.
      '--context default get namespace penpot --ignore-not-found -o name',
      `--context default ${GET_SECRETS}`,
      `--context default ${SSA} -f -`,
      ...homelabRollouts,
    ];
    expect(argvs(first)).toEqual(expected);
    expect(first.stdout).toContain('http://penpot.finalq.xyz  (Ingress penpot/penpot)');
    expect(Object.keys(cluster.state().objects)).toContain('Deployment/penpot/penpot-backend');

    const before = cluster.stateText();
    const second = cluster.run('up', ['--env', 'homelab', '--app', 'penpot']);
    expectOk(second);
    expect(argvs(second)).toEqual(expected);
    expect(cluster.stateText()).toBe(before);
  });

  test('prints the NodePort URL from the live Service and --node-ip (k0s-dev, context Default)', () => {
    const cluster = fakeCluster({ currentContext: 'Default' });
    const r = cluster.run('up', ['--env', 'k0s-dev', '--app', 'mcp', '--node-ip', '10.8.0.1', '--timeout', '120s']);
    expectOk(r);
    expect(argvs(r)).toEqual([
      '--context Default config current-context',
      `--context Default ${SSA} -f -`,
      '--context Default -n mcp-system rollout status deployment/kubernetes-mcp-server --timeout=120s',
      '--context Default -n mcp-system get service kubernetes-mcp-server-nodeport -o jsonpath={.spec.ports[0].nodePort}',
    ]);
    expect(r.stdout).toContain('node port:      http://10.8.0.1:30808/mcp  (Service mcp-system/kubernetes-mcp-server-nodeport)');
  });

  test('--dry-run prints the plan and the connection info and changes nothing', () => {
    const cluster = homelabWithSecrets();
    const before = cluster.stateText();
    const r = cluster.run('up', ['--env', 'homelab', '--app', 'penpot', '--dry-run']);
    expectOk(r);
    expect(r.stdout).toContain(`kubectl --context default ${SSA} -f -`);
    expect(r.stdout).toContain('Connect to homelab/penpot:');
    expect(argvs(r).some((a) => a.includes('apply') || a.includes('rollout'))).toBe(false);
    expect(cluster.stateText()).toBe(before);
  });
});

describe('npm run down', () => {
  function upCluster(): FakeCluster {
    const cluster = homelabWithSecrets();
    expectOk(cluster.run('up', ['--env', 'homelab', '--app', 'penpot']));
    return cluster;
  }
  const kept = (c: FakeCluster) => Object.keys(c.state().objects).sort();
  // The claims the penpot folder declares (the assets volume, and any other a later change adds).
  const declaredClaims = loadOpsEnvironment(ENVIRONMENTS, 'homelab', REPO_ROOT).apps.find((a) => a.name === 'penpot')!.objects
    .filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => `PersistentVolumeClaim/penpot/${o.metadata.name}`);

  test('keeps the Namespace, its Secrets and every PVC (the StatefulSet\'s too); a second run changes nothing', () => {
    const cluster = upCluster();
    expect(kept(cluster)).toContain('PersistentVolumeClaim/penpot/data-penpot-postgres-0');
    const first = cluster.run('down', ['--env', 'homelab', '--app', 'penpot']);
    expectOk(first);
    expect(argvs(first).slice(0, 3)).toEqual([
      '--context default config current-context',
      '--context default get namespace penpot --ignore-not-found -o name',
      '--context default -n penpot get persistentvolumeclaims -o name',
    ]);
    expect(argvs(first).slice(3)).toEqual([expect.stringMatching(/^--context default -n penpot delete --ignore-not-found service\/penpot-postgres statefulset\.apps\/penpot-postgres /)]);
    expect(declaredClaims).toContain('PersistentVolumeClaim/penpot/penpot-assets');
    expect(kept(cluster)).toEqual([
      'Namespace//penpot',
      'PersistentVolumeClaim/penpot/data-penpot-postgres-0',
      ...declaredClaims,
      'Secret/penpot/penpot-backup-offsite',
      'Secret/penpot/penpot-export-account',
      'Secret/penpot/penpot-export-mcp-token',
      'Secret/penpot/penpot-postgres',
      'Secret/penpot/penpot-secret-key',
    ].sort());
    const before = cluster.stateText();
    const second = cluster.run('down', ['--env', 'homelab', '--app', 'penpot']);
    expectOk(second);
    expect(cluster.stateText()).toBe(before);
  });

  test('--delete-data also deletes the PVCs and keeps the Namespace', () => {
    const cluster = upCluster();
    expectOk(cluster.run('down', ['--env', 'homelab', '--app', 'penpot', '--delete-data']));
    expect(kept(cluster)).toEqual(['Namespace//penpot', 'Secret/penpot/penpot-backup-offsite', 'Secret/penpot/penpot-export-account',
      'Secret/penpot/penpot-export-mcp-token', 'Secret/penpot/penpot-postgres', 'Secret/penpot/penpot-secret-key']);
  });

  test('--delete-namespace without --delete-data is a usage error: exit 2 before any kubectl call', () => {
    const cluster = upCluster();
    const before = cluster.stateText();
    const r = cluster.run('down', ['--env', 'homelab', '--app', 'penpot', '--delete-namespace']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('add --delete-data to confirm');
    expect(r.calls).toEqual([]);
    expect(cluster.stateText()).toBe(before);
  });

  test('--delete-namespace --delete-data leaves nothing of the app', () => {
    const cluster = upCluster();
    expectOk(cluster.run('down', ['--env', 'homelab', '--app', 'penpot', '--delete-namespace', '--delete-data']));
    expect(kept(cluster)).toEqual([]);
  });

  test('--dry-run lists the deletes and changes nothing', () => {
    const cluster = upCluster();
    const before = cluster.stateText();
    const r = cluster.run('down', ['--env', 'homelab', '--app', 'penpot', '--dry-run']);
    expectOk(r);
    expect(r.stdout).toContain('Dry run: would run');
    expect(argvs(r).some((a) => a.includes(' delete '))).toBe(false);
    expect(cluster.stateText()).toBe(before);
  });
});

describe('refusals', () => {
  test.each([
    ['secrets', ['--env', 'homelab']],
    ['up', ['--env', 'homelab', '--app', 'penpot']],
    ['down', ['--env', 'homelab', '--app', 'penpot']],
  ] as const)('%s without kubectl on PATH fails clearly', (script, args) => {
    const cluster = fakeCluster({ currentContext: 'default' }, { withKubectl: false });
    const r = cluster.run(script, args, OPERATOR);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kubectl was not found on PATH');
    expect(r.calls).toEqual([]);
  });

  test.each([
    ['secrets', ['--env', 'homelab']],
    ['up', ['--env', 'homelab', '--app', 'penpot']],
    ['down', ['--env', 'homelab', '--app', 'penpot', '--delete-namespace', '--delete-data']],
  ] as const)('%s on another context fails clearly and runs nothing after the check', (script, args) => {
    const cluster = fakeCluster({ currentContext: 'prod', contexts: ['prod', 'default'] });
    const before = cluster.stateText();
    const r = cluster.run(script, args, OPERATOR);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kubectl\'s current context is "prod" but environment homelab names "default"');
    expect(argvs(r)).toEqual(['--context default config current-context']);
    expect(cluster.stateText()).toBe(before);
  });

  test('an unknown flag is a usage error (exit 2) with the usage', () => {
    const r = fakeCluster({ currentContext: 'default' }).run('down', ['--env', 'homelab', '--app', 'penpot', '--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--force'");
    expect(r.stderr).toContain('Usage: npm run down');
    expect(r.calls).toEqual([]);
  });

  test('an unknown app lists the apps of the environment (exit 2, no kubectl call)', () => {
    const r = fakeCluster({ currentContext: 'Default' }).run('up', ['--env', 'k0s-dev', '--app', 'penpot']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--app "penpot" is not an app of k0s-dev; allowed: mcp');
    expect(r.calls).toEqual([]);
  });

  test('--help prints the usage and exits 0', () => {
    const r = fakeCluster({ currentContext: 'default' }).run('secrets', ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('PENPOT_POSTGRES__POSTGRES_USER');
    expect(r.calls).toEqual([]);
  });
});

describe('stale dist/', () => {
  test('the scripts refuse a dist/ that differs from what the configuration synthesizes', () => {
    const root = tempDir('ops-stale-');
    synth(ENVIRONMENTS, { only: ['homelab'], outdir: path.join(root, 'dist') });
    expect(() => loadOpsEnvironment(ENVIRONMENTS, 'homelab', root)).not.toThrow();
    const file = path.join(root, 'dist', 'homelab', 'penpot', 'penpot.k8s.yaml');
    fs.appendFileSync(file, '# edited by hand\n');
    fs.writeFileSync(path.join(root, 'dist', 'homelab', 'penpot', 'extra.yaml'), 'kind: ConfigMap\n');
    expect(() => loadOpsEnvironment(ENVIRONMENTS, 'homelab', root)).toThrow(OpsError);
    expect(() => loadOpsEnvironment(ENVIRONMENTS, 'homelab', root))
      .toThrow('dist/homelab/ is not what the configuration synthesizes: penpot/penpot.k8s.yaml (changed), penpot/extra.yaml (not synthesized)');
  });
});

import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { connectionLines, nodePortServices } from '../lib/ops/connection';
import { contextProblem } from '../lib/ops/context';
import { planDown } from '../lib/ops/down-plan';
import { buildOpsEnvironment, OpsApp, OpsEnvironment, selectApp } from '../lib/ops/environment';
import { formatCall } from '../lib/ops/kubectl';
import { ARGO_HOOK_ANNOTATION, planUp, requiredSecrets } from '../lib/ops/up-plan';
import { minimalEnv } from './support/environments';

function model(input: EnvironmentInput = minimalEnv()): OpsEnvironment {
  return buildOpsEnvironment(resolveEnvironments([input])[0]);
}
const appOf = (m: OpsEnvironment, name: string): OpsApp => selectApp(m, name);

const allSecrets = new Map([
  ['penpot/penpot-secret-key', ['PENPOT_SECRET_KEY']],
  ['penpot/penpot-postgres', ['POSTGRES_PASSWORD', 'POSTGRES_USER']],
]);

/** An environment with the Kubernetes MCP server on a node port the cluster allocates. */
const allocatedNodePort = minimalEnv({
  penpot: { enabled: false },
  // A reader: its ServiceAccount is bound to the reader roles (without one the roles stay unbound).
  kubernetesMcp: { enabled: true, exposure: { type: 'NodePort' }, readers: ['alice'] },
  network: { mcpClientCidrs: ['10.8.0.0/24'] },
});

describe('context guard', () => {
  test('accepts the context the environment names', () => {
    expect(contextProblem('homelab', 'default', 'default')).toBeUndefined();
  });

  test('refuses another context, naming both and the config field', () => {
    expect(contextProblem('k0s-dev', 'Default', 'default')).toMatch(
      /^kubectl's current context is "default" but environment k0s-dev names "Default" \(environments\.k0s-dev\.operations\.kubeContext\)\. Nothing was done\./);
  });

  test('context names are compared exactly (k0s "Default" is not k3s "default")', () => {
    expect(contextProblem('k0s-dev', 'Default', 'default')).toBeDefined();
  });
});

describe('up plan', () => {
  test('applies the app folder server-side with the stable field manager, then waits for every rollout', () => {
    const m = model();
    const plan = planUp(m, appOf(m, 'penpot'), { secrets: allSecrets }, { timeout: '300s' });
    expect(plan.errors).toEqual([]);
    // The app holds the PostSync smoke Job, so the other objects go on stdin (see the hook test).
    expect(plan.calls.map((c) => c.args.join(' '))).toEqual([
      '--context default apply --server-side --field-manager=penpot-mcp-platform -f -',
      '--context default -n penpot rollout status statefulset/penpot-postgres --timeout=300s',
      '--context default -n penpot rollout status deployment/penpot-valkey --timeout=300s',
      '--context default -n penpot rollout status deployment/penpot-mcp --timeout=300s',
      '--context default -n penpot rollout status deployment/penpot-backend --timeout=300s',
      '--context default -n penpot rollout status deployment/penpot-frontend --timeout=300s',
      '--context default -n penpot rollout status deployment/penpot-exporter --timeout=300s',
    ]);
  });

  test('the rollout timeout is the one given', () => {
    const m = model();
    const plan = planUp(m, appOf(m, 'penpot'), { secrets: allSecrets }, { timeout: '10m' });
    expect(plan.calls.slice(1).every((c) => c.args.at(-1) === '--timeout=10m')).toBe(true);
  });

  test('a missing Secret stops it before anything is applied, pointing to npm run secrets', () => {
    const m = model();
    const plan = planUp(m, appOf(m, 'penpot'), { secrets: new Map([['penpot/penpot-secret-key', ['PENPOT_SECRET_KEY']]]) }, { timeout: '300s' });
    expect(plan.calls).toEqual([]);
    expect(plan.errors).toEqual([
      'Secret penpot/penpot-postgres is missing (read by StatefulSet/penpot-postgres, Deployment/penpot-backend, CronJob/penpot-backup); create it first: npm run secrets -- --env test',
    ]);
  });

  test('a Secret without a key the manifests read stops it too', () => {
    const m = model();
    const secrets = new Map([...allSecrets, ['penpot/penpot-postgres', ['POSTGRES_PASSWORD']]]);
    const plan = planUp(m, appOf(m, 'penpot'), { secrets }, { timeout: '300s' });
    expect(plan.calls).toEqual([]);
    expect(plan.errors[0]).toMatch(/penpot\/penpot-postgres lacks POSTGRES_USER .*--rotate penpot-postgres/);
  });

  test('an app that reads no Secret needs none', () => {
    const m = model(allocatedNodePort);
    expect(requiredSecrets(m, appOf(m, 'mcp'))).toEqual([]);
    expect(planUp(m, appOf(m, 'mcp'), { secrets: new Map() }, { timeout: '300s' }).errors).toEqual([]);
  });

  test('Argo CD hooks are left out: the other objects go on stdin instead of the folder', () => {
    const m = model();
    const app = appOf(m, 'penpot');
    const hook = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'smoke', namespace: 'penpot', annotations: { [ARGO_HOOK_ANNOTATION]: 'PostSync' } }, spec: {} };
    const withHook: OpsApp = { ...app, objects: [...app.objects, hook] };
    const plan = planUp(m, withHook, { secrets: allSecrets }, { timeout: '300s' });
    expect(plan.calls[0].args.join(' ')).toBe('--context default apply --server-side --field-manager=penpot-mcp-platform -f -');
    const applied = JSON.parse(plan.calls[0].stdin!).items;
    const ownHooks = app.objects.filter((o: any) => o.metadata?.annotations?.[ARGO_HOOK_ANNOTATION] !== undefined);
    expect(ownHooks.map((o: any) => o.metadata.name)).toEqual(['penpot-smoke-check']);
    expect(applied).toHaveLength(app.objects.length - ownHooks.length);
    expect(applied.map((o: any) => o.metadata.name)).not.toContain('smoke');
    expect(plan.lines.join('\n')).toContain('skipped Job penpot/smoke: an Argo CD PostSync hook');
  });
});

describe('connection info', () => {
  test('a node port allocated by the cluster is read from the live Service and joined with --node-ip', () => {
    const m = model(allocatedNodePort);
    const app = appOf(m, 'mcp');
    expect(nodePortServices(m, app)).toEqual([{ namespace: 'mcp-system', name: 'kubernetes-mcp-server-nodeport' }]);
    const lines = connectionLines(m, app, new Map([['mcp-system/kubernetes-mcp-server-nodeport', 31234]]), '10.8.0.1');
    expect(lines).toContain('    node port:      http://10.8.0.1:31234/mcp  (Service mcp-system/kubernetes-mcp-server-nodeport)');
    expect(lines.join('\n')).not.toContain('<NODE_IP>');
  });

  test('without --node-ip the URL keeps the placeholder and says how to fill it in', () => {
    const m = model(allocatedNodePort);
    const lines = connectionLines(m, appOf(m, 'mcp'), new Map([['mcp-system/kubernetes-mcp-server-nodeport', 31234]]));
    expect(lines.join('\n')).toContain('http://<NODE_IP>:31234/mcp');
    expect(lines.join('\n')).toContain('Pass --node-ip');
  });

  test('before the port is known (dry run) a fixed port comes from the config and an allocated one stays a placeholder', () => {
    const fixed = model({ ...allocatedNodePort, kubernetesMcp: { enabled: true, exposure: { type: 'NodePort', nodePort: 30808 } } });
    expect(connectionLines(fixed, appOf(fixed, 'mcp'), new Map(), '10.8.0.1').join('\n')).toContain('http://10.8.0.1:30808/mcp');
    const allocated = model(allocatedNodePort);
    expect(connectionLines(allocated, appOf(allocated, 'mcp'), new Map(), '10.8.0.1').join('\n'))
      .toContain('http://10.8.0.1:<NODE_PORT>/mcp  (Service mcp-system/kubernetes-mcp-server-nodeport, port allocated by the cluster)');
  });

  test('lists the ingress hosts (https where the Ingress has TLS) and every MCP endpoint of the app', () => {
    const m = model(minimalEnv({ ingress: { tlsSecretName: 'penpot-tls' } }));
    const text = connectionLines(m, appOf(m, 'penpot'), new Map()).join('\n');
    expect(text).toContain('https://penpot.test.internal  (Ingress penpot/penpot)');
    expect(text).toContain('same origin:    https://penpot.test.internal/mcp/stream?userToken=<YOUR_PENPOT_MCP_KEY>');
    expect(text).toContain('in the cluster: http://penpot-mcp.penpot:4401/mcp?userToken=<YOUR_PENPOT_MCP_KEY>');
  });
});

describe('down plan', () => {
  const pvcs = new Map([['penpot', ['penpot-assets', 'data-penpot-postgres-0', 'someone-elses-claim']]]);

  test('by default deletes every object but the Namespace and the PVCs, each missing one ignored', () => {
    const m = model();
    const app = appOf(m, 'penpot');
    const plan = planDown(m, app, { pvcs }, { deleteNamespace: false, deleteData: false });
    expect(plan.calls).toHaveLength(1);
    const args = plan.calls[0].args;
    expect(args.slice(0, 6)).toEqual(['--context', 'default', '-n', 'penpot', 'delete', '--ignore-not-found']);
    const expected = app.objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'PersistentVolumeClaim');
    expect(args.slice(6)).toHaveLength(expected.length);
    expect(args).toEqual(expect.arrayContaining(['statefulset.apps/penpot-postgres', 'deployment.apps/penpot-backend', 'service/penpot-frontend',
      'networkpolicy.networking.k8s.io/default-deny', 'ingress.networking.k8s.io/penpot']));
    expect(args.join(' ')).not.toMatch(/persistentvolumeclaim|namespace\//);
    expect(plan.lines.join('\n')).toContain('keep   PersistentVolumeClaims penpot/penpot-assets, penpot/penpot-backups, penpot/data-penpot-postgres-0; --delete-data deletes them');
    expect(plan.lines.join('\n')).toContain('keep   Namespace penpot and its Secrets');
  });

  test('--delete-data adds the declared PVC and the StatefulSet template PVCs, not unrelated claims', () => {
    const m = model();
    const plan = planDown(m, appOf(m, 'penpot'), { pvcs }, { deleteNamespace: false, deleteData: true });
    expect(plan.calls.map((c) => c.args.join(' ')).at(-1))
      .toBe('--context default -n penpot delete --ignore-not-found persistentvolumeclaim/penpot-assets persistentvolumeclaim/penpot-backups persistentvolumeclaim/data-penpot-postgres-0');
  });

  test('--delete-namespace alone is refused: it would delete the data too', () => {
    const m = model();
    const plan = planDown(m, appOf(m, 'penpot'), { pvcs }, { deleteNamespace: true, deleteData: false });
    expect(plan.calls).toEqual([]);
    expect(plan.errors).toEqual([expect.stringMatching(/^--delete-namespace deletes every PersistentVolumeClaim in penpot .*add --delete-data/)]);
  });

  test('--delete-namespace --delete-data deletes the Namespace last', () => {
    const m = model();
    const plan = planDown(m, appOf(m, 'penpot'), { pvcs }, { deleteNamespace: true, deleteData: true });
    expect(plan.calls.at(-1)!.args.join(' ')).toBe('--context default delete --ignore-not-found namespace/penpot');
  });

  test('cluster-scoped objects are deleted without a namespace', () => {
    const m = model(allocatedNodePort);
    const calls = planDown(m, appOf(m, 'mcp'), { pvcs: new Map() }, { deleteNamespace: false, deleteData: false }).calls.map(formatCall);
    const clusterScoped = calls.find((c) => c.includes('clusterrole.rbac.authorization.k8s.io/'));
    expect(clusterScoped).toMatch(/^kubectl --context default delete --ignore-not-found clusterrolebinding\.rbac\.authorization\.k8s\.io\/\S+ clusterrole\.rbac/);
    expect(calls.find((c) => c.includes(' -n mcp-system '))).not.toContain('clusterrole');
    expect(calls.every((c) => c.includes('--ignore-not-found'))).toBe(true);
  });

  test('PVCs already gone are simply not listed', () => {
    const m = model();
    const plan = planDown(m, appOf(m, 'penpot'), { pvcs: new Map() }, { deleteNamespace: false, deleteData: true });
    expect(plan.calls.at(-1)!.args.slice(-2)).toEqual(['persistentvolumeclaim/penpot-assets', 'persistentvolumeclaim/penpot-backups']);
  });
});

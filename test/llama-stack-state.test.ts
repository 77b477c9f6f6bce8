/**
 * Pod-local state of replicated workloads (issue 13 defect 3): the general check over dist/, its
 * rules on small manifests, and the configuration that refuses what the check would flag.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { loadDist } from '../lib/checks';
import { ManifestObject } from '../lib/checks/model';
import { STATE_CHECKS, checkPodLocalState, llamaStackStateModel, maxPods } from '../lib/checks/replicated-state';
import { KUBERNETES_API_URL, LLAMA_STACK_STATE_SIZE } from '../lib/config/llama-stack';
import { applyDefaults } from '../lib/config/resolve';
import { STATE_CLAIM } from '../lib/llama-stack';
import { EnvironmentInput } from '../lib/config/types';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv } from './support/environments';

const dist = loadDist(path.resolve(__dirname, '..'));

describe('the state check over dist/', () => {
  test('finds the state paths of every Llama Stack in dist/ (SQLite files or none, and the uploaded files)', () => {
    const paths = llamaStackStateModel(dist.objects);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.some((p) => p.kind === 'files')).toBe(true);
  });

  test('no workload of dist/ keeps state in the pod: none on an emptyDir, no SQLite or unshared volume when replicated', () => {
    expect(checkPodLocalState(dist.objects).map((f) => `${f.file}: ${f.message}`)).toEqual([]);
  });

  test('every replicated Llama Stack in dist/ uses PostgreSQL stores and a ReadWriteMany files volume', () => {
    for (const d of dist.objects.filter((o) => o.doc.kind === 'Deployment' && o.doc.metadata.name === 'llama-stack')) {
      if (maxPods(dist.objects, d).count <= 1) continue;
      const stores = llamaStackStateModel(dist.objects).filter((p) => p.workload === d);
      expect({ env: d.env, sqlite: stores.filter((p) => p.kind === 'sqlite').map((p) => p.path) }).toEqual({ env: d.env, sqlite: [] });
    }
  });
});

/** A Llama Stack Deployment with its run config, state mounted from `state`, optionally with an HPA. */
function stand(opts: {
  replicas?: number; hpaMax?: number; state: any; backend: 'sqlite' | 'postgres'; claimModes?: string[]; vectorIo?: boolean; routePolicy?: any[];
}): ManifestObject[] {
  const meta = (kind: string, name: string) => ({ kind, metadata: { name, namespace: 'ls' } });
  const backends = opts.backend === 'sqlite'
    ? { kv_default: { type: 'kv_sqlite', db_path: '/state/kv.db' } }
    : { kv_default: { type: 'kv_postgres', host: 'pg', user: 'u' } };
  const runConfig = {
    providers: { files: [{ provider_type: 'inline::localfs', config: { storage_dir: '/state/files' } }], ...(opts.vectorIo ? { vector_io: [{ provider_type: 'inline::faiss' }] } : {}) },
    storage: { backends },
    ...(opts.routePolicy ? { server: { auth: { route_policy: opts.routePolicy } } } : {}),
  };
  const o = (doc: any): ManifestObject => ({ file: 'dist/t/ls/ls.k8s.yaml', env: 't', app: 'ls', doc });
  return [
    o({ apiVersion: 'v1', ...meta('ConfigMap', 'cfg'), data: { 'config.yaml': stringify(runConfig) } }),
    o({
      apiVersion: 'apps/v1', ...meta('Deployment', 'llama-stack'),
      spec: { replicas: opts.replicas ?? 1, template: { spec: {
        containers: [{ name: 's', image: 'x/distribution-starter:0.7.1', command: ['llama', 'stack', 'run', '/etc/ls/config.yaml'],
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/ls' }, { name: 'state', mountPath: '/state' }] }],
        volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'state', ...opts.state }],
      } } },
    }),
    ...(opts.claimModes ? [o({ apiVersion: 'v1', ...meta('PersistentVolumeClaim', 'data'), spec: { accessModes: opts.claimModes } })] : []),
    ...(opts.hpaMax ? [o({ apiVersion: 'autoscaling/v2', ...meta('HorizontalPodAutoscaler', 'llama-stack'),
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'llama-stack' }, minReplicas: 2, maxReplicas: opts.hpaMax } })] : []),
  ];
}
const checks = (objects: ManifestObject[]) => checkPodLocalState(objects).map((f) => f.check);
const EMPTY = { emptyDir: {} };
const CLAIM = { persistentVolumeClaim: { claimName: 'data' } };

describe('the state rules', () => {
  test('the defect as it was: SQLite and files on an emptyDir behind an HPA 2-5 are refused twice over', () => {
    const found = checkPodLocalState(stand({ state: EMPTY, backend: 'sqlite', hpaMax: 5 }));
    expect(found.map((f) => f.check)).toEqual([STATE_CHECKS.emptyDir, STATE_CHECKS.replicated, STATE_CHECKS.emptyDir, STATE_CHECKS.replicated]);
    expect(found[1].message).toMatch(/HorizontalPodAutoscaler llama-stack scales it to 5/);
  });

  test('one replica on an emptyDir loses its state on restart', () => {
    expect(checks(stand({ state: EMPTY, backend: 'sqlite' }))).toEqual([STATE_CHECKS.emptyDir, STATE_CHECKS.emptyDir]);
  });

  test('one replica with SQLite on a ReadWriteOnce PVC passes', () => {
    expect(checks(stand({ state: CLAIM, backend: 'sqlite', claimModes: ['ReadWriteOnce'] }))).toEqual([]);
  });

  test('replicas: 3 with SQLite on a ReadWriteMany PVC is still refused (SQLite is not shared between pods)', () => {
    expect(checks(stand({ replicas: 3, state: CLAIM, backend: 'sqlite', claimModes: ['ReadWriteMany'] }))).toEqual([STATE_CHECKS.replicated]);
  });

  test('replicated vector stores (registry in each process) are refused unless the route policy refuses them to everyone first', () => {
    const rwx = { hpaMax: 5, state: CLAIM, backend: 'postgres' as const, claimModes: ['ReadWriteMany'], vectorIo: true };
    expect(checks(stand(rwx))).toEqual([STATE_CHECKS.replicated]);
    expect(checks(stand({ ...rwx, routePolicy: [{ permit: { paths: '*' }, when: 'user with g in roles' }, { forbid: { paths: '/v1/vector_stores*' } }] })))
      .toEqual([STATE_CHECKS.replicated]);
    expect(checks(stand({ ...rwx, routePolicy: [{ permit: { paths: ['/v1/health'] } }, { forbid: { paths: ['/v1/vector_stores*'] } }, { permit: { paths: '*' } }] })))
      .toEqual([]);
    expect(checks(stand({ ...rwx, hpaMax: undefined, replicas: 1, claimModes: ['ReadWriteOnce'] }))).toEqual([]);
  });

  test('replicated PostgreSQL stores with files on a ReadWriteOnce PVC are refused; on ReadWriteMany they pass', () => {
    expect(checks(stand({ hpaMax: 5, state: CLAIM, backend: 'postgres', claimModes: ['ReadWriteOnce'] }))).toEqual([STATE_CHECKS.replicated]);
    expect(checks(stand({ hpaMax: 5, state: CLAIM, backend: 'postgres', claimModes: ['ReadWriteMany'] }))).toEqual([]);
  });
});

type LlamaInput = NonNullable<EnvironmentInput['llamaStack']>;
const VLLM = { kind: 'vllm', url: 'http://vllm.test.internal:8000/v1' } as const;
const withLlama = (over: LlamaInput = {}): EnvironmentInput =>
  minimalEnv({ kubernetesMcp: { enabled: true }, llamaStack: { enabled: true, inference: VLLM, ...over } });
const field = (f: string) => `environments.test.llamaStack.${f}`;
const storageOf = (over: LlamaInput = {}) => applyDefaults(withLlama(over)).llamaStack.storage;

describe('storage defaults', () => {
  test('one replica: SQLite on a ReadWriteOnce PVC of 5Gi', () => {
    expect(storageOf()).toMatchObject({ backend: 'sqlite', accessMode: 'ReadWriteOnce', size: '5Gi' });
  });

  test('replicas > 1 or autoscaling: PostgreSQL (bundled) and a ReadWriteMany files volume', () => {
    for (const over of [{ replicas: 2 }, { autoscaling: { minReplicas: 2, maxReplicas: 5 } }]) {
      expect(storageOf(over)).toMatchObject({ backend: 'postgres', accessMode: 'ReadWriteMany', externalPostgres: undefined });
    }
  });

  test('an external PostgreSQL takes port 5432 and database llamastack unless told otherwise', () => {
    expect(storageOf({ storage: { externalPostgres: { host: 'pg.test.internal', secret: 'pg', cidrs: ['10.1.0.0/24'] } } }).externalPostgres)
      .toEqual({ host: 'pg.test.internal', port: 5432, database: 'llamastack', secret: 'pg', cidrs: ['10.1.0.0/24'] });
  });
});

describe('bad storage configuration is refused naming the field', () => {
  test('replicas > 1 with SQLite', () => {
    expectIssue([withLlama({ replicas: 2, storage: { backend: 'sqlite' } })], field('storage.backend'), /"sqlite" with 2 replicas: each pod would keep its own SQLite stores/);
  });

  test('autoscaling with SQLite', () => {
    expectIssue([withLlama({ autoscaling: { minReplicas: 2, maxReplicas: 5 }, storage: { backend: 'sqlite' } })], field('storage.backend'),
      /"sqlite" with autoscaling up to 5 replicas/);
  });

  test('several replicas on a ReadWriteOnce files volume', () => {
    expectIssue([withLlama({ replicas: 2, storage: { accessMode: 'ReadWriteOnce' } })], field('storage.accessMode'), /ReadWriteOnce" with several replicas/);
  });

  test('an external PostgreSQL without its Secret', () => {
    const input = withLlama({ storage: { externalPostgres: { host: 'pg.test.internal', cidrs: ['10.1.0.0/24'] } as any } });
    expect(issuesOf(input).map((i) => i.field)).toContain(field('storage.externalPostgres.secret'));
  });

  test('an external PostgreSQL with SQLite chosen', () => {
    expectIssue([withLlama({ storage: { backend: 'sqlite', externalPostgres: { host: 'pg.test.internal', secret: 'pg', cidrs: ['10.1.0.0/24'] } } })],
      field('storage.externalPostgres'), /storage.backend is "sqlite"/);
  });

  test('an external PostgreSQL with no addresses for the egress policy, a bad host and a bad database name', () => {
    const input = withLlama({ storage: { externalPostgres: { host: 'not a host', database: 'llama-stack', secret: 'pg', cidrs: [] } } });
    const fields = issuesOf(input).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining([field('storage.externalPostgres.cidrs'), field('storage.externalPostgres.host'), field('storage.externalPostgres.database')]));
  });

  test('a storage size that is not one', () => {
    expectIssue([withLlama({ storage: { size: 'lots' } })], field('storage.size'), /not a positive storage size/);
  });
});

describe('the README says what the code does', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Llama Stack'), readme.indexOf('## Alerts'));

  test('names the state claim, its default size, the bundled database and its Secret keys', () => {
    for (const text of [STATE_CLAIM, `default ${LLAMA_STACK_STATE_SIZE}`, 'llama-stack-postgres', 'POSTGRES_USER', 'POSTGRES_PASSWORD', KUBERNETES_API_URL]) {
      expect({ text, found: section.includes(text) }).toEqual({ text, found: true });
    }
  });
});

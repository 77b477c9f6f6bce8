import { minimalEnv } from './support/environments';
import { container, find, objectsOf, podSpec } from './support/objects';

describe('BundledDatabases', () => {
  const objects = objectsOf(minimalEnv());
  const postgres = find(objects, 'StatefulSet', 'penpot-postgres');

  test('PostgreSQL 15 runs as a StatefulSet with a claim template on the configured class and a headless Service', () => {
    expect(postgres.spec.serviceName).toBe('penpot-postgres');
    expect(postgres.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'local-path', resources: { requests: { storage: '5Gi' } } });
    expect(find(objects, 'Service', 'penpot-postgres').spec.clusterIP).toBe('None');
    expect(container(postgres, 'postgres').image).toBe('docker.io/library/postgres:15');
  });

  test('PostgreSQL credentials come only from the penpot-postgres Secret', () => {
    const env = container(postgres, 'postgres').env;
    for (const name of ['POSTGRES_USER', 'POSTGRES_PASSWORD']) {
      expect(env.find((e: any) => e.name === name).valueFrom.secretKeyRef.name).toBe('penpot-postgres');
    }
  });

  test('PostgreSQL probes run pg_isready against the configured user and database', () => {
    const c = container(postgres, 'postgres');
    expect(c.readinessProbe.exec.command.join(' ')).toMatch(/pg_isready -U "\$POSTGRES_USER" -d "\$POSTGRES_DB"/);
    expect(c.startupProbe.exec.command).toEqual(c.readinessProbe.exec.command);
  });

  test('PostgreSQL keeps its data in a subdirectory of the volume and runs as UID 999', () => {
    const c = container(postgres, 'postgres');
    expect(c.env.find((e: any) => e.name === 'PGDATA').value).toBe('/var/lib/postgresql/data/pgdata');
    expect(podSpec(postgres).securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
  });

  test('Valkey runs with upstream maxmemory settings, a PONG probe and no volume claim', () => {
    const valkey = find(objects, 'Deployment', 'penpot-valkey');
    const c = container(valkey, 'valkey');
    expect(c.args).toEqual(['valkey-server', '--maxmemory', '128mb', '--maxmemory-policy', 'volatile-lfu']);
    expect(c.readinessProbe.exec.command.join(' ')).toMatch(/valkey-cli ping \| grep -q PONG/);
    expect(podSpec(valkey).volumes.every((v: any) => v.emptyDir)).toBe(true);
  });
});

describe('InternalIngress', () => {
  test('routes the Penpot host to penpot-frontend with WebSocket timeouts and the backend body size', () => {
    const ingress = find(objectsOf(minimalEnv()), 'Ingress', 'penpot');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules[0].host).toBe('penpot.test.internal');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'penpot-frontend', port: { name: 'http' } });
    const a = ingress.metadata.annotations;
    expect(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(300);
    expect(Number(a['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(300);
    expect(a['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('367001600');
  });

  test('the body size follows penpot.maxBodySizeBytes on both the ingress and the frontend', () => {
    const objects = objectsOf(minimalEnv({ penpot: { maxBodySizeBytes: 1048576 } }));
    expect(find(objects, 'Ingress', 'penpot').metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('1048576');
    const frontend = container(find(objects, 'Deployment', 'penpot-frontend'), 'frontend');
    expect(frontend.env.find((e: any) => e.name === 'PENPOT_HTTP_SERVER_MAX_BODY_SIZE').value).toBe('1048576');
  });

  test('TLS and a source allowlist are added only when configured', () => {
    const plain = find(objectsOf(minimalEnv()), 'Ingress', 'penpot');
    expect(plain.spec.tls).toBeUndefined();
    expect(plain.metadata.annotations['nginx.ingress.kubernetes.io/whitelist-source-range']).toBeUndefined();
    const tls = find(objectsOf(minimalEnv({ ingress: { tlsSecretName: 'penpot-tls', allowedSourceCidrs: ['10.8.0.0/24', '192.168.1.0/24'] } })), 'Ingress', 'penpot');
    expect(tls.spec.tls).toEqual([{ hosts: ['penpot.test.internal'], secretName: 'penpot-tls' }]);
    expect(tls.metadata.annotations['nginx.ingress.kubernetes.io/whitelist-source-range']).toBe('10.8.0.0/24,192.168.1.0/24');
  });
});

describe('ArgoApplication', () => {
  const objects = objectsOf(minimalEnv());
  const apps = objects.filter((o) => o.kind === 'Application');

  test('no Application syncs automatically', () => {
    expect(apps.length).toBe(2);
    for (const app of apps) expect(app.spec.syncPolicy.automated).toBeUndefined();
  });

  test('the penpot Application points at dist/<env>/penpot and deploys into the penpot namespace', () => {
    const app = find(objects, 'Application', 'test-penpot');
    expect(app.spec.source).toMatchObject({ path: 'dist/test/penpot', repoURL: 'https://git.test.internal/platform/gitops.git', targetRevision: 'main' });
    expect(app.spec.destination.namespace).toBe('penpot');
    expect(app.metadata.namespace).toBe('argocd');
  });

  test('the root Application syncs the folder of child Applications into Argo CD\'s namespace', () => {
    const root = find(objects, 'Application', 'test-root');
    expect(root.spec.source.path).toBe('dist/test/apps');
    expect(root.spec.destination.namespace).toBe('argocd');
  });

  test('repository and revision come from config', () => {
    const app = find(objectsOf(minimalEnv({ argo: { repoURL: 'git@git.test.internal:ops/gitops.git', targetRevision: 'release' } })), 'Application', 'test-penpot');
    expect(app.spec.source).toMatchObject({ repoURL: 'git@git.test.internal:ops/gitops.git', targetRevision: 'release' });
  });

  test('the Namespace carries a negative sync wave', () => {
    expect(Number(find(objects, 'Namespace', 'penpot').metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(0);
  });
});

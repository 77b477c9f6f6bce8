import { minimalEnv } from './support/environments';
import { allContainers, container, envValue, envVar, find, objectsOf, podSpec } from './support/objects';

const flagsOf = (objects: any[], component: string): string[] =>
  envValue(container(find(objects, 'Deployment', `penpot-${component}`), component), 'PENPOT_FLAGS')!.split(' ');

describe('PenpotCore wiring', () => {
  const objects = objectsOf(minimalEnv());
  const backend = container(find(objects, 'Deployment', 'penpot-backend'), 'backend');
  const frontend = container(find(objects, 'Deployment', 'penpot-frontend'), 'frontend');
  const exporter = container(find(objects, 'Deployment', 'penpot-exporter'), 'exporter');

  test('frontend, backend and exporter share one public URI', () => {
    for (const c of [backend, frontend, exporter]) expect(envValue(c, 'PENPOT_PUBLIC_URI')).toBe('http://penpot.test.internal');
  });

  test('backend and exporter read PENPOT_SECRET_KEY from the same Secret key', () => {
    expect(envVar(backend, 'PENPOT_SECRET_KEY').valueFrom).toEqual(envVar(exporter, 'PENPOT_SECRET_KEY').valueFrom);
    expect(envVar(backend, 'PENPOT_SECRET_KEY').valueFrom.secretKeyRef.name).toBe('penpot-secret-key');
  });

  test('the exporter renders through the frontend Service', () => {
    expect(envValue(exporter, 'PENPOT_INTERNAL_URI')).toBe('http://penpot-frontend:8080');
  });

  test('the backend uses the 2.17 object storage names, not the deprecated ones', () => {
    expect(envValue(backend, 'PENPOT_OBJECTS_STORAGE_BACKEND')).toBe('fs');
    expect(envValue(backend, 'PENPOT_OBJECTS_STORAGE_FS_DIRECTORY')).toBe('/opt/data/assets');
    expect(envVar(backend, 'PENPOT_ASSETS_STORAGE_BACKEND')).toBeUndefined();
  });

  test('backend and frontend mount the assets volume at /opt/data/assets', () => {
    for (const name of ['backend', 'frontend']) {
      const d = find(objects, 'Deployment', `penpot-${name}`);
      const mount = container(d, name).volumeMounts.find((m: any) => m.mountPath === '/opt/data/assets');
      const volume = podSpec(d).volumes.find((v: any) => v.name === mount.name);
      expect(volume.persistentVolumeClaim.claimName).toBe('penpot-assets');
    }
    expect(find(objects, 'PersistentVolumeClaim', 'penpot-assets').spec.storageClassName).toBe('local-path');
  });

  test('Penpot pods run as UID 1001 with fsGroup 1001 and a writable root filesystem', () => {
    for (const name of ['backend', 'frontend', 'exporter']) {
      const d = find(objects, 'Deployment', `penpot-${name}`);
      expect(podSpec(d).securityContext).toMatchObject({ runAsUser: 1001, fsGroup: 1001, runAsNonRoot: true });
      expect(container(d, name).securityContext).toMatchObject({ readOnlyRootFilesystem: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
  });

  test('on a hostPath-backed class an init container chowns the assets to 1001 with only CHOWN-like capabilities', () => {
    const init = podSpec(find(objects, 'Deployment', 'penpot-backend')).initContainers[0];
    expect(init.command.join(' ')).toMatch(/chown 1001:1001/);
    expect(init.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['CHOWN', 'DAC_OVERRIDE'] });
  });

  test('without a hostPath-backed class there is no init container', () => {
    const objs = objectsOf(minimalEnv({ storage: { className: 'longhorn' } }));
    expect(podSpec(find(objs, 'Deployment', 'penpot-backend')).initContainers ?? []).toEqual([]);
  });

  test('the backend startup probe tolerates at least 5 minutes of migrations', () => {
    const p = backend.startupProbe;
    expect(p.httpGet.path).toBe('/readyz');
    expect(p.periodSeconds * p.failureThreshold).toBeGreaterThanOrEqual(300);
  });

  test('liveness differs from readiness on every Penpot container', () => {
    for (const c of [backend, frontend, exporter]) expect(c.livenessProbe).not.toEqual(c.readinessProbe);
  });

  test('the exporter has a writable temp dir, a memory-backed /dev/shm and a bounded Chromium pool', () => {
    const spec = podSpec(find(objects, 'Deployment', 'penpot-exporter'));
    const shm = spec.volumes.find((v: any) => v.name === exporter.volumeMounts.find((m: any) => m.mountPath === '/dev/shm').name);
    expect(shm.emptyDir.medium).toBe('Memory');
    expect(exporter.volumeMounts.map((m: any) => m.mountPath)).toContain('/tmp');
    expect(envValue(exporter, 'PENPOT_TEMPDIR')).toBe('/tmp/penpot-exporter');
    expect(envValue(exporter, 'PENPOT_BROWSER_POOL_MAX')).toBe('2');
  });

  test('service links are off so Kubernetes cannot inject PENPOT_*_PORT variables', () => {
    for (const d of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) expect(podSpec(d).enableServiceLinks).toBe(false);
  });

  test('every container has cpu and memory requests and limits', () => {
    for (const { container: c } of allContainers(objects)) {
      expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    }
  });

  test('Services have stable names and select on app.kubernetes.io labels only', () => {
    for (const name of ['penpot-frontend', 'penpot-backend', 'penpot-exporter']) {
      expect(Object.keys(find(objects, 'Service', name).spec.selector).every((k) => k.startsWith('app.kubernetes.io/'))).toBe(true);
    }
  });
});

describe('PenpotCore storage modes', () => {
  test('a ReadWriteOnce volume pins the frontend to the backend node and recreates the backend', () => {
    const objects = objectsOf(minimalEnv());
    const affinity = podSpec(find(objects, 'Deployment', 'penpot-frontend')).affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(affinity.labelSelector.matchLabels['app.kubernetes.io/component']).toBe('backend');
    expect(affinity.topologyKey).toBe('kubernetes.io/hostname');
    expect(find(objects, 'Deployment', 'penpot-backend').spec.strategy.type).toBe('Recreate');
  });

  test('a ReadWriteMany volume lifts the pinning and allows replicas', () => {
    const objects = objectsOf(minimalEnv({ storage: { assetsAccessMode: 'ReadWriteMany', className: 'nfs-client' }, penpot: { replicas: { frontend: 2, backend: 2 } } }));
    const frontend = find(objects, 'Deployment', 'penpot-frontend');
    expect(podSpec(frontend).affinity).toBeUndefined();
    expect(frontend.spec.replicas).toBe(2);
    expect(find(objects, 'PersistentVolumeClaim', 'penpot-assets').spec.accessModes).toEqual(['ReadWriteMany']);
  });

  test('S3 object storage drops the assets volume and reads keys from penpot-s3', () => {
    const objects = objectsOf(minimalEnv({ penpot: { objectStorage: { backend: 's3', bucket: 'penpot-assets', region: 'us-east-1', endpoint: 'https://s3.test.internal' }, replicas: { backend: 2 } } }));
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'penpot-assets')).toBe(false);
    const backend = container(find(objects, 'Deployment', 'penpot-backend'), 'backend');
    expect(envValue(backend, 'PENPOT_OBJECTS_STORAGE_BACKEND')).toBe('s3');
    expect(envValue(backend, 'PENPOT_OBJECTS_STORAGE_S3_BUCKET')).toBe('penpot-assets');
    expect(envVar(backend, 'AWS_SECRET_ACCESS_KEY').valueFrom.secretKeyRef.name).toBe('penpot-s3');
  });
});

describe('PenpotCore flags', () => {
  test('plain http disables secure session cookies; https does not', () => {
    expect(flagsOf(objectsOf(minimalEnv()), 'backend')).toContain('disable-secure-session-cookies');
    expect(flagsOf(objectsOf(minimalEnv({ ingress: { tlsSecretName: 'penpot-tls' } })), 'backend')).not.toContain('disable-secure-session-cookies');
  });

  test('SMTP is enabled only when configured, with its credentials from penpot-smtp', () => {
    expect(flagsOf(objectsOf(minimalEnv()), 'backend')).not.toContain('enable-smtp');
    const objects = objectsOf(minimalEnv({ penpot: { smtp: { host: 'smtp.test.internal', defaultFrom: 'penpot@test.internal' } } }));
    expect(flagsOf(objects, 'backend')).toContain('enable-smtp');
    const backend = container(find(objects, 'Deployment', 'penpot-backend'), 'backend');
    expect(envValue(backend, 'PENPOT_SMTP_HOST')).toBe('smtp.test.internal');
    expect(envVar(backend, 'PENPOT_SMTP_PASSWORD').valueFrom.secretKeyRef.name).toBe('penpot-smtp');
  });

  test('the air-gapped option sets enable-air-gapped-conf on the frontend', () => {
    expect(flagsOf(objectsOf(minimalEnv({ penpot: { airGapped: true } })), 'frontend')).toContain('enable-air-gapped-conf');
    expect(flagsOf(objectsOf(minimalEnv()), 'frontend')).not.toContain('enable-air-gapped-conf');
  });

  test('without the MCP server the frontend gets neither enable-mcp nor MCP URIs (nginx would fail to start)', () => {
    const objects = objectsOf(minimalEnv({ penpot: { mcp: { enabled: false } } }));
    const frontend = container(find(objects, 'Deployment', 'penpot-frontend'), 'frontend');
    expect(flagsOf(objects, 'frontend')).not.toContain('enable-mcp');
    expect(envVar(frontend, 'PENPOT_MCP_URI')).toBeUndefined();
    expect(objects.some((o) => o.metadata.name === 'penpot-mcp')).toBe(false);
  });

  test('with the MCP server the frontend gets enable-mcp and URIs to the penpot-mcp Service', () => {
    const objects = objectsOf(minimalEnv());
    const frontend = container(find(objects, 'Deployment', 'penpot-frontend'), 'frontend');
    expect(flagsOf(objects, 'frontend')).toContain('enable-mcp');
    expect(envValue(frontend, 'PENPOT_MCP_URI')).toBe('http://penpot-mcp:4401');
    expect(envValue(frontend, 'PENPOT_MCP_URI_WS')).toBe('http://penpot-mcp:4402');
  });

  test('OIDC adds the login flag, the issuer on the backend and the button label on the frontend', () => {
    const objects = objectsOf(minimalEnv({ penpot: { oidc: { baseUri: 'https://sso.test.internal/realms/x', name: 'SSO' } } }));
    expect(flagsOf(objects, 'backend')).toContain('enable-login-with-oidc');
    expect(envValue(container(find(objects, 'Deployment', 'penpot-backend'), 'backend'), 'PENPOT_OIDC_BASE_URI')).toBe('https://sso.test.internal/realms/x');
    expect(envValue(container(find(objects, 'Deployment', 'penpot-frontend'), 'frontend'), 'PENPOT_OIDC_NAME')).toBe('SSO');
  });
});

describe('image references', () => {
  test('a registry mirror rewrites every image of every container', () => {
    const objects = objectsOf(minimalEnv({ images: { mirrors: { 'docker.io': 'harbor.test.internal/dockerhub' } } }));
    const images = allContainers(objects).map(({ container: c }) => c.image);
    expect(images.length).toBeGreaterThan(5);
    for (const image of images) expect(image).toMatch(/^harbor\.test\.internal\/dockerhub\//);
    expect(images).toContain('harbor.test.internal/dockerhub/library/postgres:15');
  });

  test('without a mirror images are fully qualified and pinned', () => {
    const images = allContainers(objectsOf(minimalEnv())).map(({ container: c }) => c.image);
    expect(images).toEqual(expect.arrayContaining(['docker.io/penpotapp/backend:2.17.0', 'docker.io/valkey/valkey:8.1']));
    for (const image of images) expect(image).toMatch(/^[a-z0-9.-]+\.[a-z]+\/.+:[\w.-]+$/);
  });
});

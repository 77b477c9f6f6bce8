/**
 * Tiny builders for check tests: a minimal valid Penpot namespace that passes every check, and
 * helpers to break one thing in it. Tests start from the valid install so that each one shows
 * exactly which change a check reacts to.
 */
import { Dist, Finding, ManifestObject, SecretsContract, kindOf, nameOf } from '../../lib/checks/model';
import { loadObjectsFromYaml } from '../../lib/checks/load';

export const ENV = 'test';
export const NS = 'penpot';
export const PENPOT_FILE = `dist/${ENV}/penpot/penpot.k8s.yaml`;
export const APPS_FILE = `dist/${ENV}/apps/apps.k8s.yaml`;
export const PUBLIC_URI = 'https://penpot.example.com';

/** Wraps a document as if loaded from `file` (env and app taken from the path). */
export function mo(doc: any, file = PENPOT_FILE): ManifestObject {
  const [, env, app] = file.split('/');
  const hasApp = file.split('/').length > 3;
  return hasApp ? { file, env, app, doc } : { file, env, doc };
}

/** Objects from inline YAML, loaded like a dist file. */
export function fromYaml(text: string, file = PENPOT_FILE): ManifestObject[] {
  const [, env, app] = file.split('/');
  return loadObjectsFromYaml(text, file, env, file.split('/').length > 3 ? app : undefined);
}

export function distOf(
  objects: readonly ManifestObject[],
  contracts: readonly SecretsContract[] = [],
  dirs: readonly string[] = ['dist', `dist/${ENV}`, `dist/${ENV}/penpot`, `dist/${ENV}/apps`],
): Pick<Dist, 'objects' | 'contracts' | 'dirs'> {
  return { objects, contracts: new Map(contracts.map((c) => [c.environment, c])), dirs: new Set(dirs) };
}

/** A copy of `objects` with `change` applied to the object of that kind and name. */
export function edit(objects: readonly ManifestObject[], kind: string, name: string, change: (doc: any) => void): ManifestObject[] {
  let found = false;
  const out = objects.map((m) => {
    if (kindOf(m.doc) !== kind || nameOf(m.doc) !== name) return m;
    found = true;
    const doc = structuredClone(m.doc);
    change(doc);
    return { ...m, doc };
  });
  if (!found) throw new Error(`fixture has no ${kind} ${name}`);
  return out;
}

export function without(objects: readonly ManifestObject[], kind: string, name: string): ManifestObject[] {
  return objects.filter((m) => kindOf(m.doc) !== kind || nameOf(m.doc) !== name);
}

/** First container of a workload's pod template. */
export function main(doc: any): any {
  return doc.spec.template.spec.containers[0];
}

/** Sets (or with undefined removes) an env var of a container, keeping the others in place. */
export function setEnv(container: any, name: string, value: string | undefined | { valueFrom: any }): void {
  const env: any[] = (container.env ?? []).filter((e: any) => e.name !== name);
  if (typeof value === 'string') env.push({ name, value });
  else if (value !== undefined) env.push({ name, ...value });
  container.env = env;
}

export const checks = (findings: readonly Finding[]): string[] => [...new Set(findings.map((f) => f.check))];

const secretRef = (name: string, key: string) => ({ valueFrom: { secretKeyRef: { name, key } } });

function penpotWorkload(component: string, port: number, env: any[], assets: boolean): any {
  const labels = { 'app.kubernetes.io/name': 'penpot', 'app.kubernetes.io/component': component };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `penpot-${component}`, namespace: NS, labels: { ...labels } },
    spec: {
      replicas: 1,
      // Copies, not one shared object: loaded YAML never aliases, and edits must not leak between fields.
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          serviceAccountName: 'penpot',
          securityContext: { runAsUser: 1001, fsGroup: 1001 },
          containers: [{
            name: component,
            image: `penpotapp/${component}:2.17.0`,
            ports: [{ name: 'http', containerPort: port }],
            env,
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
            livenessProbe: { tcpSocket: { port } },
            ...(assets ? { volumeMounts: [{ name: 'assets', mountPath: '/opt/data/assets' }] } : {}),
          }],
          ...(assets ? { volumes: [{ name: 'assets', persistentVolumeClaim: { claimName: 'penpot-assets' } }] } : {}),
        },
      },
    },
  };
}

function service(component: string, port: number): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `penpot-${component}`, namespace: NS },
    spec: {
      selector: { 'app.kubernetes.io/name': 'penpot', 'app.kubernetes.io/component': component },
      ports: [{ name: 'http', port, targetPort: 'http' }],
    },
  };
}

export function penpotContract(): SecretsContract {
  const secret = (name: string, type: string, keys: string[]) => ({
    name, namespace: NS, type, purpose: name, keys: keys.map((key) => ({ key, description: key, source: 'operator' as const })),
    readBy: ['penpot-backend'], createdBy: 'operator', createCommand: `kubectl -n ${NS} create secret ...`,
  });
  return {
    environment: ENV,
    secrets: [
      secret('penpot-secret-key', 'Opaque', ['secret-key']),
      secret('penpot-db', 'Opaque', ['password']),
      secret('penpot-tls', 'kubernetes.io/tls', ['tls.crt', 'tls.key']),
    ],
  };
}

/** A minimal Penpot namespace plus its Argo CD Application; passes every check. */
export function penpotObjects(): ManifestObject[] {
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'penpot', namespace: NS } },
    {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'penpot-assets', namespace: NS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
    penpotWorkload('frontend', 8080, [
      { name: 'PENPOT_PUBLIC_URI', value: PUBLIC_URI },
      { name: 'PENPOT_FLAGS', value: 'enable-login-with-password' },
      { name: 'PENPOT_BACKEND_URI', value: 'http://penpot-backend:6060' },
      { name: 'PENPOT_EXPORTER_URI', value: `http://penpot-exporter.${NS}.svc.cluster.local:6061` },
    ], true),
    penpotWorkload('backend', 6060, [
      { name: 'PENPOT_PUBLIC_URI', value: PUBLIC_URI },
      { name: 'PENPOT_SECRET_KEY', ...secretRef('penpot-secret-key', 'secret-key') },
      { name: 'PENPOT_DATABASE_PASSWORD', ...secretRef('penpot-db', 'password') },
      { name: 'PENPOT_OBJECTS_STORAGE_BACKEND', value: 'fs' },
      { name: 'PENPOT_OBJECTS_STORAGE_FS_DIRECTORY', value: '/opt/data/assets' },
    ], true),
    penpotWorkload('exporter', 6061, [
      { name: 'PENPOT_PUBLIC_URI', value: PUBLIC_URI },
      { name: 'PENPOT_SECRET_KEY', ...secretRef('penpot-secret-key', 'secret-key') },
      { name: 'PENPOT_INTERNAL_URI', value: 'http://penpot-frontend:8080' },
    ], false),
    service('frontend', 8080),
    service('backend', 6060),
    service('exporter', 6061),
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'penpot', namespace: NS },
      spec: {
        tls: [{ hosts: ['penpot.example.com'], secretName: 'penpot-tls' }],
        rules: [{
          host: 'penpot.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'penpot-frontend', port: { name: 'http' } } } }] },
        }],
      },
    },
  ];
  const app = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'penpot', namespace: 'argocd' },
    spec: {
      project: 'default',
      source: { repoURL: 'https://git.example.com/platform.git', targetRevision: 'main', path: `dist/${ENV}/penpot` },
      destination: { server: 'https://kubernetes.default.svc', namespace: NS },
    },
  };
  return [...docs.map((d) => mo(d)), mo(app, APPS_FILE)];
}

/** The valid install as a dist, with its contract. */
export function penpotDist(objects: readonly ManifestObject[] = penpotObjects()): Pick<Dist, 'objects' | 'contracts' | 'dirs'> {
  return distOf(objects, [penpotContract()]);
}

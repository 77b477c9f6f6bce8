/**
 * A small namespace that passes every policy check, and helpers to break one thing in it. Each
 * violating test starts from this set, so it shows exactly which change a check reacts to.
 */
import { kindOf, ManifestObject, nameOf } from '../../lib/checks/model';
import { contextFor } from '../../lib/policy/context';
import { PolicyCheck, PolicyViolation } from '../../lib/policy/model';

export const ENV = 'test';
export const NS = 'app';
export const FILE = `dist/${ENV}/app/app.k8s.yaml`;

export function mo(doc: any, env = ENV): ManifestObject {
  return { file: `dist/${env}/app/app.k8s.yaml`, env, app: 'app', doc };
}

export function container(name: string, port?: { name: string; containerPort: number }): any {
  return {
    name,
    image: `registry.example.com/${name}:1.2.3`,
    imagePullPolicy: 'IfNotPresent',
    ...(port ? { ports: [{ ...port, protocol: 'TCP' }] } : {}),
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    },
  };
}

export function podSpec(containers: any[], extra: Record<string, unknown> = {}): any {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers,
    volumes: [{ name: 'tmp', emptyDir: {} }],
    ...extra,
  };
}

const meta = (name: string, labels?: Record<string, string>) => ({ name, namespace: NS, ...(labels ? { labels } : {}) });

function web(): any {
  const labels = { app: 'web' };
  const main = {
    ...container('web', { name: 'http', containerPort: 8080 }),
    readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
    livenessProbe: { tcpSocket: { port: 'http' } },
  };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', labels),
    spec: {
      replicas: 2,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: podSpec([main], {
          initContainers: [container('init')],
          topologySpreadConstraints: [{
            maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { ...labels } },
          }],
        }),
      },
    },
  };
}

function db(): any {
  const labels = { app: 'db' };
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db', labels),
    spec: {
      replicas: 1,
      serviceName: 'db',
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: podSpec([{
          ...container('postgres', { name: 'pg', containerPort: 5432 }),
          readinessProbe: { exec: { command: ['pg_isready'] } },
          livenessProbe: { tcpSocket: { port: 'pg' } },
        }]),
      },
    },
  };
}

function jobSpec(app: string): any {
  return {
    ttlSecondsAfterFinished: 3600,
    template: { metadata: { labels: { app } }, spec: podSpec([container(app)], { restartPolicy: 'OnFailure' }) },
  };
}

/** Every kind a check applies to, all compliant. */
export function goodDocs(): any[] {
  return [
    {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    },
    web(),
    {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('web'),
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: meta('db'),
      spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }] },
    },
    db(),
    {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('backup'),
      spec: { schedule: '0 3 * * *', startingDeadlineSeconds: 300, concurrencyPolicy: 'Forbid', jobTemplate: { spec: jobSpec('backup') } },
    },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('migrate'), spec: jobSpec('migrate') },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('web'),
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ port: 8080, protocol: 'TCP' }] }],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'pg', protocol: 'TCP' }] }],
      },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('reader'),
      rules: [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('reader'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: NS }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'app-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: NS }],
    },
    {
      // A Kubernetes MCP server's TOML that requires a token (identity/mcp-authentication).
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubernetes-mcp-server', namespace: NS, labels: { 'app.kubernetes.io/name': 'kubernetes-mcp-server' } },
      data: { 'config.toml': 'port = "8080"\nrequire_oauth = true\nskip_jwt_verification = true\n' },
    },
  ];
}

export function good(): ManifestObject[] {
  return goodDocs().map((d) => mo(d));
}

// Fixture editing is shared with the manifest-check tests.
export { edit, without } from '../checks/fixtures';

/** Runs one check on the object `kind name` of `objects` (which must apply), with the others as context. */
export function violationsOf(check: PolicyCheck, objects: readonly ManifestObject[], kind: string, name: string): PolicyViolation[] {
  const target = objects.find((m) => kindOf(m.doc) === kind && nameOf(m.doc) === name);
  if (!target) throw new Error(`no ${kind} ${name}`);
  if (!check.appliesTo(target.doc)) throw new Error(`${check.id} does not apply to ${kind} ${name}`);
  return check.check(target.doc, contextFor(target.env, objects.filter((m) => m.env === target.env)));
}

export const mainOf = (doc: any): any => doc.spec.template.spec.containers[0];
export const podOf = (doc: any): any => doc.spec.template.spec;

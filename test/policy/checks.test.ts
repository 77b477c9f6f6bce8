/**
 * Every policy check, against the compliant fixture (passes) and against one change that breaks
 * it (reports it, naming the object and field). A check id without a violating case fails the
 * last test here: a check that cannot fail is a defect.
 */
import { ManifestObject } from '../../lib/checks/model';
import { POLICY_CHECK_IDS } from '../../lib/policy/checks';
import { runPolicy } from '../../lib/policy/run';
import { edit, good, mainOf, mo, NS, podOf, without } from './fixtures';

interface Case {
  readonly id: string;
  readonly what: string;
  readonly objects: () => ManifestObject[];
  readonly object: string;
  readonly field: string;
  readonly container?: string;
}

const WEB = `Deployment ${NS}/web`;
const DB = `StatefulSet ${NS}/db`;
const ROLE = `Role ${NS}/reader`;
const NP_WEB = `NetworkPolicy ${NS}/web`;
const T = 'spec.template.spec';
const withObject = (doc: any) => (): ManifestObject[] => [...good(), mo(doc)];
const rbac = 'rbac.authorization.k8s.io';

const CASES: Case[] = [
  {
    id: 'resources/requests-limits', what: 'an init container without a cpu limit', object: WEB,
    field: `${T}.initContainers[0].resources`, container: 'init',
    objects: () => edit(good(), 'Deployment', 'web', (d) => { delete podOf(d).initContainers[0].resources.limits.cpu; }),
  },
  {
    id: 'resources/requests-limits', what: 'a container without resources', object: DB, field: `${T}.containers[0].resources`,
    objects: () => edit(good(), 'StatefulSet', 'db', (d) => { delete mainOf(d).resources; }),
  },
  {
    id: 'images/pinned-tag', what: 'an image without tag', object: WEB, field: `${T}.containers[0].image`, container: 'web',
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).image = 'registry.example.com:5000/web'; }),
  },
  {
    id: 'images/pinned-tag', what: 'the latest tag', object: WEB, field: `${T}.containers[0].image`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).image = 'nginx:latest'; }),
  },
  {
    id: 'images/pinned-tag', what: 'a *-latest tag', object: `CronJob ${NS}/backup`,
    field: 'spec.jobTemplate.spec.template.spec.containers[0].image',
    objects: () => edit(good(), 'CronJob', 'backup', (d) => { d.spec.jobTemplate.spec.template.spec.containers[0].image = 'x/y:alpine-latest'; }),
  },
  {
    id: 'images/pull-policy', what: 'no imagePullPolicy', object: WEB, field: `${T}.initContainers[0].imagePullPolicy`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { delete podOf(d).initContainers[0].imagePullPolicy; }),
  },
  {
    id: 'probes/readiness', what: 'a StatefulSet container without readinessProbe', object: DB, field: `${T}.containers[0].readinessProbe`,
    objects: () => edit(good(), 'StatefulSet', 'db', (d) => { delete mainOf(d).readinessProbe; }),
  },
  {
    id: 'probes/liveness-differs', what: 'a liveness probe equal to readiness (keys reordered)', object: WEB,
    field: `${T}.containers[0].livenessProbe`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).livenessProbe = { httpGet: { port: 'http', path: '/ready' } }; }),
  },
  {
    id: 'workload/selector-matches-template', what: 'a selector that misses the template labels', object: WEB, field: 'spec.selector',
    objects: () => edit(good(), 'Deployment', 'web', (d) => { d.spec.selector.matchLabels.app = 'website'; }),
  },
  {
    id: 'workload/selector-matches-template', what: 'an empty selector', object: DB, field: 'spec.selector',
    objects: () => edit(good(), 'StatefulSet', 'db', (d) => { d.spec.selector = {}; }),
  },
  {
    id: 'statefulset/headless-service', what: 'a Service with a cluster IP', object: DB, field: 'spec.serviceName',
    objects: () => edit(good(), 'Service', 'db', (d) => { delete d.spec.clusterIP; }),
  },
  {
    id: 'statefulset/headless-service', what: 'a missing Service', object: DB, field: 'spec.serviceName',
    objects: () => without(good(), 'Service', 'db'),
  },
  {
    id: 'statefulset/headless-service', what: 'no serviceName', object: DB, field: 'spec.serviceName',
    objects: () => edit(good(), 'StatefulSet', 'db', (d) => { delete d.spec.serviceName; }),
  },
  {
    id: 'cronjob/deadline', what: 'no startingDeadlineSeconds', object: `CronJob ${NS}/backup`, field: 'spec.startingDeadlineSeconds',
    objects: () => edit(good(), 'CronJob', 'backup', (d) => { delete d.spec.startingDeadlineSeconds; }),
  },
  {
    id: 'cronjob/concurrency', what: 'no concurrencyPolicy', object: `CronJob ${NS}/backup`, field: 'spec.concurrencyPolicy',
    objects: () => edit(good(), 'CronJob', 'backup', (d) => { delete d.spec.concurrencyPolicy; }),
  },
  {
    id: 'job/ttl', what: 'a Job without ttlSecondsAfterFinished', object: `Job ${NS}/migrate`, field: 'spec.ttlSecondsAfterFinished',
    objects: () => edit(good(), 'Job', 'migrate', (d) => { delete d.spec.ttlSecondsAfterFinished; }),
  },
  {
    id: 'job/ttl', what: 'a CronJob job template without ttlSecondsAfterFinished', object: `CronJob ${NS}/backup`,
    field: 'spec.jobTemplate.spec.ttlSecondsAfterFinished',
    objects: () => edit(good(), 'CronJob', 'backup', (d) => { delete d.spec.jobTemplate.spec.ttlSecondsAfterFinished; }),
  },
  {
    id: 'job/restart-policy', what: 'restartPolicy Always', object: `Job ${NS}/migrate`, field: `${T}.restartPolicy`,
    objects: () => edit(good(), 'Job', 'migrate', (d) => { podOf(d).restartPolicy = 'Always'; }),
  },
  {
    id: 'availability/pdb', what: 'two replicas without a PDB', object: WEB, field: 'spec.replicas',
    objects: () => without(good(), 'PodDisruptionBudget', 'web'),
  },
  {
    id: 'availability/pdb', what: 'an HPA target without a PDB', object: DB, field: 'spec.replicas',
    objects: withObject({
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'db', namespace: NS },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }, minReplicas: 1, maxReplicas: 1 },
    }),
  },
  {
    id: 'availability/spread', what: 'two replicas without spread', object: WEB, field: `${T}.topologySpreadConstraints`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { delete podOf(d).topologySpreadConstraints; }),
  },
  {
    id: 'availability/spread', what: 'a spread constraint that counts other pods', object: WEB, field: `${T}.topologySpreadConstraints`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { podOf(d).topologySpreadConstraints[0].labelSelector.matchLabels.app = 'db'; }),
  },
  {
    id: 'availability/pdb-selects-pods', what: 'a PDB selecting no pods', object: `PodDisruptionBudget ${NS}/web`, field: 'spec.selector',
    objects: () => edit(good(), 'PodDisruptionBudget', 'web', (d) => { d.spec.selector.matchLabels.app = 'website'; }),
  },
  {
    id: 'availability/no-blocking-pdb', what: 'minAvailable 1 over a single replica', object: `PodDisruptionBudget ${NS}/db`,
    field: 'spec.minAvailable',
    objects: withObject({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: NS },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } },
    }),
  },
  {
    id: 'availability/no-blocking-pdb', what: 'maxUnavailable 0', object: `PodDisruptionBudget ${NS}/web`, field: 'spec.maxUnavailable',
    objects: () => edit(good(), 'PodDisruptionBudget', 'web', (d) => { d.spec.maxUnavailable = 0; }),
  },
  {
    id: 'availability/no-blocking-pdb', what: "minAvailable '100%' over two replicas", object: `PodDisruptionBudget ${NS}/web`,
    field: 'spec.minAvailable',
    objects: () => edit(good(), 'PodDisruptionBudget', 'web', (d) => { delete d.spec.maxUnavailable; d.spec.minAvailable = '100%'; }),
  },
  {
    id: 'security/privilege-escalation', what: 'an init container allowing escalation', object: WEB,
    field: `${T}.initContainers[0].securityContext.allowPrivilegeEscalation`, container: 'init',
    objects: () => edit(good(), 'Deployment', 'web', (d) => { delete podOf(d).initContainers[0].securityContext.allowPrivilegeEscalation; }),
  },
  {
    id: 'security/run-as-non-root', what: 'no runAsNonRoot anywhere', object: DB, field: `${T}.securityContext.runAsNonRoot`,
    objects: () => edit(good(), 'StatefulSet', 'db', (d) => { delete podOf(d).securityContext.runAsNonRoot; }),
  },
  {
    id: 'security/run-as-non-root', what: 'a container with runAsUser 0', object: WEB,
    field: `${T}.initContainers[0].securityContext.runAsUser`, container: 'init',
    objects: () => edit(good(), 'Deployment', 'web', (d) => { podOf(d).initContainers[0].securityContext.runAsUser = 0; }),
  },
  {
    id: 'security/privileged', what: 'a privileged container', object: WEB, field: `${T}.containers[0].securityContext.privileged`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).securityContext.privileged = true; }),
  },
  {
    id: 'security/host-namespaces', what: 'hostPID', object: WEB, field: `${T}.hostPID`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { podOf(d).hostPID = true; }),
  },
  {
    id: 'security/host-port', what: 'a hostPort', object: WEB, field: `${T}.containers[0].ports[0].hostPort`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).ports[0].hostPort = 80; }),
  },
  {
    id: 'security/host-path', what: 'a hostPath volume', object: DB, field: `${T}.volumes[1].hostPath`,
    objects: () => edit(good(), 'StatefulSet', 'db', (d) => { podOf(d).volumes.push({ name: 'data', hostPath: { path: '/srv/db' } }); }),
  },
  {
    id: 'security/capabilities', what: 'no drop ALL', object: WEB, field: `${T}.containers[0].securityContext.capabilities.drop`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).securityContext.capabilities.drop = ['NET_RAW']; }),
  },
  {
    id: 'security/capabilities', what: 'an added capability', object: WEB, field: `${T}.containers[0].securityContext.capabilities.add[0]`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).securityContext.capabilities.add = ['NET_BIND_SERVICE']; }),
  },
  {
    id: 'security/seccomp', what: 'no seccomp profile', object: DB, field: `${T}.securityContext.seccompProfile.type`,
    objects: () => edit(good(), 'StatefulSet', 'db', (d) => { delete podOf(d).securityContext.seccompProfile; }),
  },
  {
    id: 'security/seccomp', what: 'a container overriding with Unconfined', object: WEB,
    field: `${T}.containers[0].securityContext.seccompProfile.type`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).securityContext.seccompProfile = { type: 'Unconfined' }; }),
  },
  {
    id: 'security/read-only-root-fs', what: 'a writable root filesystem', object: WEB,
    field: `${T}.containers[0].securityContext.readOnlyRootFilesystem`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).securityContext.readOnlyRootFilesystem = false; }),
  },
  {
    id: 'security/automount-token', what: 'an automounted token', object: `Job ${NS}/migrate`, field: `${T}.automountServiceAccountToken`,
    objects: () => edit(good(), 'Job', 'migrate', (d) => { delete podOf(d).automountServiceAccountToken; }),
  },
  {
    id: 'security/sensitive-env', what: 'a literal password', object: WEB, field: `${T}.containers[0].env[1].value`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => {
      mainOf(d).env = [{ name: 'DB_HOST', value: 'db' }, { name: 'DB_PASSWORD', value: 'hunter2' }];
    }),
  },
  {
    id: 'security/sensitive-env', what: 'a literal api key', object: WEB, field: `${T}.containers[0].env[0].value`,
    objects: () => edit(good(), 'Deployment', 'web', (d) => { mainOf(d).env = [{ name: 'OPENAI_APIKEY', value: 'sk-1' }]; }),
  },
  {
    id: 'rbac/cluster-admin', what: 'a cluster-admin binding', object: 'ClusterRoleBinding app-view', field: 'roleRef.name',
    objects: () => edit(good(), 'ClusterRoleBinding', 'app-view', (d) => { d.roleRef.name = 'cluster-admin'; }),
  },
  {
    id: 'rbac/exec-attach', what: 'a rule on pods/exec', object: ROLE, field: 'rules[1].resources',
    objects: () => edit(good(), 'Role', 'reader', (d) => { d.rules.push({ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }); }),
  },
  {
    id: 'rbac/exec-attach', what: 'a binding to the built-in edit role', object: 'ClusterRoleBinding app-view', field: 'roleRef.name',
    objects: () => edit(good(), 'ClusterRoleBinding', 'app-view', (d) => { d.roleRef.name = 'edit'; }),
  },
  {
    id: 'rbac/wildcard', what: "'*' verbs", object: ROLE, field: 'rules[0].verbs',
    objects: () => edit(good(), 'Role', 'reader', (d) => { d.rules[0].verbs = ['*']; }),
  },
  {
    id: 'rbac/wildcard', what: "'*' apiGroups in a ClusterRole", object: 'ClusterRole any-group', field: 'rules[0].apiGroups',
    objects: withObject({
      apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: 'any-group' },
      rules: [{ apiGroups: ['*'], resources: ['deployments'], verbs: ['get'] }],
    }),
  },
  {
    id: 'rbac/write-access', what: 'a patch verb on a Role without acknowledgement', object: ROLE, field: 'rules[0].verbs',
    objects: () => edit(good(), 'Role', 'reader', (d) => { d.rules[0].verbs.push('patch'); }),
  },
  {
    id: 'rbac/secrets', what: 'a rule on secrets', object: ROLE, field: 'rules[0].resources',
    objects: () => edit(good(), 'Role', 'reader', (d) => { d.rules[0].resources.push('secrets'); }),
  },
  {
    id: 'network/pod-selected', what: 'pods under no policy', object: DB, field: 'spec.template.metadata.labels',
    objects: () => without(good(), 'NetworkPolicy', 'default-deny'),
  },
  {
    id: 'network/pod-selected', what: 'pods without an egress policy', object: `CronJob ${NS}/backup`,
    field: 'spec.jobTemplate.spec.template.metadata.labels',
    objects: () => edit(good(), 'NetworkPolicy', 'default-deny', (d) => { d.spec.policyTypes = ['Ingress']; }),
  },
  {
    id: 'network/policy-selects-pods', what: 'a policy selecting no pod', object: NP_WEB, field: 'spec.podSelector',
    objects: () => edit(good(), 'NetworkPolicy', 'web', (d) => { d.spec.podSelector.matchLabels.app = 'website'; }),
  },
  {
    id: 'network/port-exists', what: 'an ingress port no selected pod declares', object: NP_WEB, field: 'spec.ingress[0].ports[0].port',
    objects: () => edit(good(), 'NetworkPolicy', 'web', (d) => { d.spec.ingress[0].ports[0].port = 4403; }),
  },
  {
    id: 'network/port-exists', what: 'an egress port name the target pods do not declare', object: NP_WEB,
    field: 'spec.egress[0].ports[0].port',
    objects: () => edit(good(), 'NetworkPolicy', 'web', (d) => { d.spec.egress[0].ports[0].port = 'postgres'; }),
  },
  {
    id: 'namespace/pod-security-label', what: 'a Namespace without enforce label', object: `Namespace ${NS}`,
    field: 'metadata.labels["pod-security.kubernetes.io/enforce"]',
    objects: () => edit(good(), 'Namespace', NS, (d) => { d.metadata.labels = {}; }),
  },
  {
    id: 'namespace/pod-security-label', what: 'an unknown level', object: `Namespace ${NS}`,
    field: 'metadata.labels["pod-security.kubernetes.io/enforce"]',
    objects: () => edit(good(), 'Namespace', NS, (d) => { d.metadata.labels['pod-security.kubernetes.io/enforce'] = 'strict'; }),
  },
  {
    id: 'namespace/pod-security-level', what: "a root init container under 'restricted'", object: `Namespace ${NS}`,
    field: 'metadata.labels["pod-security.kubernetes.io/enforce"]',
    objects: () => edit(good(), 'Deployment', 'web', (d) => { podOf(d).initContainers[0].securityContext.runAsUser = 0; }),
  },
  {
    id: 'identity/mcp-authentication', what: 'a Kubernetes MCP server without require_oauth and without an acknowledgement',
    object: `ConfigMap ${NS}/kubernetes-mcp-server`, field: 'data["config.toml"]',
    objects: () => edit(good(), 'ConfigMap', 'kubernetes-mcp-server', (d) => { d.data['config.toml'] = 'port = "8080"\n'; }),
  },
];

describe('the compliant fixture', () => {
  const report = runPolicy({ objects: good() }, []);

  it('passes every check', () => {
    expect(report.results.filter((r) => r.status === 'failed')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it.each(POLICY_CHECK_IDS)('%s passes on at least one object (a passing fixture exists)', (id) => {
    expect(report.results.filter((r) => r.check === id && r.status === 'passed').length).toBeGreaterThan(0);
  });
});

describe.each(CASES)('$id', (c) => {
  it(`reports ${c.what}`, () => {
    const failures = runPolicy({ objects: c.objects() }, []).results
      .filter((r) => r.check === c.id && r.status === 'failed')
      .flatMap((r) => r.violations.map((v) => ({ object: r.object, field: v.field, container: v.container })));
    expect(failures).toContainEqual(expect.objectContaining({
      object: c.object, field: c.field, ...(c.container ? { container: c.container } : {}),
    }));
  });
});

it('has a violating case for every check id', () => {
  const covered = new Set(CASES.map((c) => c.id));
  expect(POLICY_CHECK_IDS.filter((id) => !covered.has(id))).toEqual([]);
});

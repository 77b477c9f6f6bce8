/**
 * Penpot on OpenShift. Upstream runs Penpot under the restricted-v2 SCC by leaving runAsUser,
 * runAsGroup and fsGroup to the platform (penpot/penpot-helm#57, merged 2026-05-15, validated on
 * crc with working exports; fixes penpot/penpot#8872); the frontend image keeps its rewritten
 * files group-0 writable for arbitrary UIDs (penpot/penpot docker/images/Dockerfile.frontend:
 * `chown -R 1001:0 ... chmod -R g+w` on /etc/nginx, /var/www, /var/cache/nginx), and postgres:15's
 * entrypoint fakes a passwd entry for an arbitrary UID with nss_wrapper (docker-library/postgres
 * 15/bookworm/docker-entrypoint.sh, docker_init_database_dir). What cannot run there, the root
 * chown init container of hostPath-backed volumes, is refused by the configuration.
 */
import { checkPenpotContract, formatFindings, ManifestObject, runAllChecks } from '../lib/checks';
import { canConnect, PodTemplate, podTemplates } from '../lib/checks/network-eval';
import { EnvironmentInput } from '../lib/config/types';
import { formatPolicyTable, runPolicy } from '../lib/policy/run';
import { minimalEnv } from './support/environments';
import { synthesizedDist } from './support/synthesized-dist';

const input: EnvironmentInput = minimalEnv({
  name: 'ocp-penpot',
  domain: 'apps.ocp.test.internal',
  cluster: { platform: 'openshift' },
  storage: { className: 'lvms-vg1' },
  ingress: { allowedSourceCidrs: ['10.0.0.0/8', '192.168.0.0/16'] },
  penpot: { mcp: { host: 'penpot-mcp.apps.ocp.test.internal' } },
  kubernetesMcp: { enabled: true, ingressHost: 'k8s-mcp.apps.ocp.test.internal' },
});
const { dist, read } = synthesizedDist(input);
const docs = dist.objects.map((o) => o.doc);
const route = (name: string) => docs.find((d) => d.kind === 'Route' && d.metadata.name === name);

test('Penpot is exposed by an edge Route to the frontend, https everywhere', () => {
  expect(route('penpot').spec).toMatchObject({
    host: 'penpot.apps.ocp.test.internal', to: { kind: 'Service', name: 'penpot-frontend' }, port: { targetPort: 'http' },
    tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' },
  });
  const frontend = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'penpot-frontend');
  expect(frontend.spec.template.spec.containers[0].env).toContainEqual({ name: 'PENPOT_PUBLIC_URI', value: 'https://penpot.apps.ocp.test.internal' });
  expect(docs.filter((d) => d.kind === 'Ingress')).toEqual([]);
});

test('the dedicated Penpot MCP host is a Route to /mcp on the MCP port, listed with https in CONNECT.md', () => {
  expect(route('penpot-mcp').spec).toMatchObject({ host: 'penpot-mcp.apps.ocp.test.internal', path: '/mcp', to: { name: 'penpot-mcp' }, port: { targetPort: 'http' } });
  expect(read('ocp-penpot/CONNECT.md')).toContain('`https://penpot-mcp.apps.ocp.test.internal/mcp?userToken=<YOUR_PENPOT_MCP_KEY>`');
});

test('the source allowlist becomes the router\'s space-separated ip_allowlist on every Route', () => {
  const routes = docs.filter((d) => d.kind === 'Route');
  expect(routes).toHaveLength(3);
  for (const r of routes) expect(r.metadata.annotations['haproxy.router.openshift.io/ip_allowlist']).toBe('10.0.0.0/8 192.168.0.0/16');
});

test('no Penpot, database or MCP pod pins a user or group id, and no pod runs a root init container', () => {
  const text = JSON.stringify(docs);
  expect(text).not.toMatch(/"runAsUser"|"runAsGroup"|"fsGroup"/);
  expect(docs.flatMap((d) => d.spec?.template?.spec?.initContainers ?? [])).toEqual([]);
});

test('passes every schema, wiring and Penpot contract check', () => {
  expect(formatFindings(runAllChecks(dist))).toBe('');
});

test('passes the policy suite with zero failures', () => {
  const report = runPolicy(dist);
  expect(report.counts.failed === 0 ? '' : formatPolicyTable(report)).toBe('');
});

test('the router reaches the Penpot frontend and the MCP host; it does not reach the backend', () => {
  const pods = podTemplates(dist.objects);
  const pod = (owner: string) => pods.find((p) => p.owner === owner)!;
  const objects: ManifestObject[] = [...dist.objects,
    { file: 'cluster', env: 'ocp-penpot', doc: { kind: 'Namespace', metadata: { name: 'openshift-ingress', labels: { 'network.openshift.io/policy-group': 'ingress' } } } }];
  const router: PodTemplate = { env: 'ocp-penpot', namespace: 'openshift-ingress', owner: 'Deployment/router-default', labels: {}, ports: [] };
  expect(canConnect(objects, router, pod('Deployment/penpot-frontend'), 8080)).toBe(true);
  expect(canConnect(objects, router, pod('Deployment/penpot-mcp'), 4401)).toBe(true);
  expect(canConnect(objects, router, pod('Deployment/penpot-backend'), 6060)).toBe(false);
});

describe('penpot/assets-writable follows the namespace\'s id assignment', () => {
  const backend = dist.objects.find((o) => o.doc.kind === 'Deployment' && o.doc.metadata.name === 'penpot-backend')!;
  const findings = (objects: ManifestObject[]) => checkPenpotContract(objects).filter((f) => f.check === 'penpot/assets-writable');

  test('a pinned UID 1001 in a namespace whose ids the SCC assigns is reported', () => {
    const pinned = { ...backend, doc: structuredClone(backend.doc) };
    pinned.doc.spec.template.spec.securityContext.runAsUser = 1001;
    const found = findings(dist.objects.map((o) => (o === backend ? pinned : o)));
    expect(found.map((f) => f.field)).toEqual(['spec.template.spec.securityContext.runAsUser']);
  });

  test('without the namespace\'s annotation the unset ids are reported (plain Kubernetes needs 1001)', () => {
    const objects = dist.objects.map((o) => (o.doc.kind === 'Namespace' && o.doc.metadata.name === 'penpot'
      ? { ...o, doc: { ...o.doc, metadata: { ...o.doc.metadata, annotations: {} } } } : o));
    expect(findings(objects).map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/backend runs as an unset user/)]));
  });
});

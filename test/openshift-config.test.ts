/**
 * `cluster.platform: 'openshift'`: its defaults, and every setting that contradicts it refused
 * before anything is written, with the field named and what is allowed instead.
 */
import { resolveEnvironments } from '../lib/config/resolve';
import { EnvironmentInput } from '../lib/config/types';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv } from './support/environments';

const openshift = (over: Partial<EnvironmentInput> = {}): EnvironmentInput => minimalEnv({
  cluster: { platform: 'openshift' },
  storage: { className: 'lvms-vg1' },
  ...over,
});
const resolve = (input: EnvironmentInput) => resolveEnvironments([input])[0];

describe('OpenShift defaults', () => {
  const env = resolve(openshift());

  test('an environment without cluster settings is plain Kubernetes', () => {
    expect(resolve(minimalEnv()).cluster).toEqual({ platform: 'kubernetes' });
  });

  test('the router is admitted by the namespace policy group "ingress"', () => {
    expect(env.network.ingressController).toEqual({ namespaceLabels: { 'network.openshift.io/policy-group': 'ingress' }, podLabels: {} });
  });

  test('DNS is openshift-dns on 5353 and the API server is reached on 6443', () => {
    expect(env.network.dns).toEqual({ namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [5353] });
    expect(env.network.apiServer).toEqual({ cidrs: ['0.0.0.0/0'], ports: [6443] });
  });

  test('users type https (edge Routes) without any TLS Secret', () => {
    expect(env.penpot.publicUri).toBe('https://penpot.test.internal');
    expect(env.ingress.tlsSecretName).toBeUndefined();
  });

  test('network settings given explicitly win over the platform defaults', () => {
    const dns = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
    expect(resolve(openshift({ network: { dns } })).network.dns).toEqual(dns);
  });

  test('the Kubernetes defaults are unchanged (ingress-nginx, kube-system DNS on 53, API on 443 and 6443)', () => {
    const k = resolve(minimalEnv()).network;
    expect(k.ingressController).toEqual({ namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
    expect(k.dns).toEqual({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } });
    expect(k.apiServer.ports).toEqual([443, 6443]);
  });
});

describe('OpenShift configuration errors name the field', () => {
  test('a NodePort for the Kubernetes MCP server (Routes are the way in)', () => {
    expectIssue([openshift({ kubernetesMcp: { enabled: true, exposure: { type: 'NodePort', nodePort: 30808 } }, network: { mcpClientCidrs: ['10.8.0.0/24'] } })],
      'environments.test.kubernetesMcp.exposure.type', /Routes are the way in[\s\S]*allowed: ClusterIP, with kubernetesMcp.ingressHost/);
  });

  test('a NodePort for Penpot MCP', () => {
    expectIssue([openshift({ penpot: { mcp: { exposure: { type: 'NodePort' } } }, network: { mcpClientCidrs: ['10.8.0.0/24'] } })],
      'environments.test.penpot.mcp.exposure.type', /allowed: ClusterIP, with penpot.mcp.host/);
  });

  test('a TLS Secret (edge Routes serve the router\'s certificate)', () => {
    expectIssue([openshift({ ingress: { tlsSecretName: 'penpot-tls' } })], 'environments.test.ingress.tlsSecretName', /router's certificate/);
  });

  test('plain http for Penpot (the Route redirects to https)', () => {
    expectIssue([openshift({ penpot: { scheme: 'http' } })], 'environments.test.penpot.scheme', /must be https on OpenShift/);
    expectIssue([openshift({ penpot: { publicUri: 'http://penpot.test.internal' } })], 'environments.test.penpot.publicUri', /must be https/);
  });

  test('hostPath-backed assets (the root chown init container is refused by restricted-v2)', () => {
    expectIssue([openshift({ storage: { className: 'local-path' } })], 'environments.test.storage.hostPathBacked', /restricted-v2 SCC refuses/);
  });

  test('hostPath-backed storage is fine when Penpot keeps its assets in S3', () => {
    expect(() => resolve(openshift({ storage: { className: 'local-path' }, penpot: { objectStorage: { backend: 's3', bucket: 'penpot', region: 'eu-1' } } }))).not.toThrow();
  });

  test('an unknown platform', () => {
    expectIssue([minimalEnv({ cluster: { platform: 'rancher' as never } })], 'environments.test.cluster.platform', /allowed: kubernetes, openshift/);
  });

  test('a router location without namespace labels (it would match every namespace)', () => {
    expectIssue([openshift({ network: { ingressController: { namespaceLabels: {}, podLabels: {} } } })],
      'environments.test.network.ingressController.namespaceLabels', /is empty/);
  });

  test('DNS without ports', () => {
    expectIssue([openshift({ network: { dns: { namespace: 'openshift-dns', podLabels: { a: 'b' }, ports: [] } } })], 'environments.test.network.dns.ports', /is empty/);
  });

  test('all problems are reported at once', () => {
    const fields = issuesOf(openshift({ ingress: { tlsSecretName: 'x' }, penpot: { scheme: 'http' } })).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['environments.test.ingress.tlsSecretName', 'environments.test.penpot.scheme']));
  });
});

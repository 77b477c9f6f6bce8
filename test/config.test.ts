import { applyDefaults, resolveEnvironments, selectEnvironments } from '../lib/config/resolve';
import { ENVIRONMENTS } from '../lib/environments';
import { expectIssue, issuesOf } from './support/config-issues';
import { minimalEnv } from './support/environments';

describe('configuration defaults', () => {
  test('the shipped environments are valid', () => {
    expect(resolveEnvironments(ENVIRONMENTS).map((e) => e.name)).toEqual(ENVIRONMENTS.map((e) => e.name));
  });

  test('defaults match the homelab setup: local-path, nginx, Penpot 2.17.0, http on penpot.<domain>', () => {
    const env = applyDefaults(minimalEnv());
    expect(env.storage.className).toBe('local-path');
    expect(env.storage.hostPathBacked).toBe(true);
    expect(env.ingress.className).toBe('nginx');
    expect(env.penpot.version).toBe('2.17.0');
    expect(env.penpot.publicUri).toBe('http://penpot.test.internal');
    expect(env.argo.targetRevision).toBe('main');
  });

  test('a TLS secret makes the public URI https', () => {
    const env = applyDefaults(minimalEnv({ ingress: { tlsSecretName: 'penpot-tls' } }));
    expect(env.penpot.publicUri).toBe('https://penpot.test.internal');
  });

  test('resource overrides merge with the defaults field by field', () => {
    const env = applyDefaults(minimalEnv({ penpot: { resources: { backend: { limits: { memory: '3Gi' } } } } }));
    expect(env.penpot.resources.backend.limits).toEqual({ cpu: '2', memory: '3Gi' });
    expect(env.penpot.resources.backend.requests.memory).toBe('1Gi');
  });
});

describe('configuration validation names the field and what is allowed', () => {
  test('a host that is not a DNS name', () => {
    expectIssue([minimalEnv({ penpot: { host: 'Penpot_Host' } })], 'environments.test.penpot.host', /not a DNS name; allowed: .*host name/);
  });

  test('a public URI without scheme', () => {
    expectIssue([minimalEnv({ penpot: { publicUri: 'penpot.test.internal' } })], 'environments.test.penpot.publicUri', /no http:\/\/ or https:\/\/ scheme; allowed/);
  });

  test('a public URI with a trailing slash', () => {
    expectIssue([minimalEnv({ penpot: { publicUri: 'http://penpot.test.internal/' } })], 'environments.test.penpot.publicUri', /ends with a slash; allowed/);
  });

  test('an image tagged latest', () => {
    expectIssue([minimalEnv({ images: { postgres: 'postgres:latest' } })], 'environments.test.images.postgres', /moving tag "latest"; allowed: a pinned tag/);
  });

  test('an image without tag', () => {
    expectIssue([minimalEnv({ images: { valkey: 'valkey/valkey' } })], 'environments.test.images.valkey', /no tag.*allowed: a pinned tag/);
  });

  test('a Penpot version that is not a pinned release', () => {
    expectIssue([minimalEnv({ penpot: { version: 'latest' } })], 'environments.test.penpot.version', /not a pinned release; allowed/);
  });

  test('a port out of range', () => {
    expectIssue([minimalEnv({ penpot: { smtp: { host: 'smtp.test.internal', defaultFrom: 'a@test.internal', port: 70000 } } })],
      'environments.test.penpot.smtp.port', /out of range; allowed: an integer 1-65535/);
  });

  test('a public URI with a port out of range', () => {
    expectIssue([minimalEnv({ penpot: { publicUri: 'http://penpot.test.internal:99999' } })], 'environments.test.penpot.publicUri', /allowed/);
  });

  test('an empty storage class', () => {
    expectIssue([minimalEnv({ storage: { className: '' } })], 'environments.test.storage.className', /allowed: a non-empty DNS-1123 name/);
  });

  test('a zero size', () => {
    expectIssue([minimalEnv({ storage: { assetsSize: '0Gi' } })], 'environments.test.storage.assetsSize', /greater than zero/);
  });

  test('a negative size', () => {
    expectIssue([minimalEnv({ storage: { postgresSize: '-5Gi' } })], 'environments.test.storage.postgresSize', /greater than zero/);
  });

  test('the same host in two environments', () => {
    expectIssue([minimalEnv(), minimalEnv({ name: 'test2', penpot: { host: 'penpot.test.internal' } })],
      'environments.test2.penpot.host', /already used by environments.test.penpot.host/);
  });

  test('two environments with one name', () => {
    expectIssue([minimalEnv(), minimalEnv({ penpot: { host: 'other.test.internal' } })], 'environments.test.name', /unique names/);
  });

  test('an unknown environment on the command line', () => {
    const envs = resolveEnvironments([minimalEnv()]);
    expect(() => selectEnvironments(envs, ['prod'])).toThrow(/--env: "prod" is not an environment; allowed: test/);
  });

  test('more than one frontend replica on a ReadWriteOnce assets volume', () => {
    expectIssue([minimalEnv({ penpot: { replicas: { frontend: 2 } } })], 'environments.test.penpot.replicas.frontend', /ReadWriteMany.*s3/);
  });

  test('two replicas are allowed with a ReadWriteMany class', () => {
    expect(() => resolveEnvironments([minimalEnv({ storage: { assetsAccessMode: 'ReadWriteMany' }, penpot: { replicas: { frontend: 2, backend: 2 } } })])).not.toThrow();
  });

  test('an exporter memory limit too small for its Chromium pool', () => {
    expectIssue([minimalEnv({ penpot: { exporterBrowserPoolMax: 5 } })], 'environments.test.penpot.resources.exporter.limits.memory', /at least 3328Mi/);
  });

  test('a request above its limit', () => {
    expectIssue([minimalEnv({ penpot: { resources: { frontend: { requests: { cpu: '2' } } } } })],
      'environments.test.penpot.resources.frontend.requests.cpu', /exceeds limit/);
  });

  test('an invalid source CIDR', () => {
    expectIssue([minimalEnv({ ingress: { allowedSourceCidrs: ['10.0.0.0/33'] } })], 'environments.test.ingress.allowedSourceCidrs[0]', /IPv4 CIDR/);
  });

  test('a repository URL that is not Git', () => {
    expectIssue([minimalEnv({ argo: { repoURL: 'not a url' } })], 'environments.test.argo.repoURL', /not a Git URL/);
  });

  test('e-mail verification without SMTP', () => {
    expectIssue([minimalEnv({ penpot: { emailVerification: true } })], 'environments.test.penpot.emailVerification', /needs penpot.smtp/);
  });

  test('every problem is reported at once, not only the first', () => {
    const issues = issuesOf(minimalEnv({ storage: { className: '' }, penpot: { host: 'bad host' } }));
    expect(issues.map((i) => i.field)).toEqual(expect.arrayContaining(['environments.test.storage.className', 'environments.test.penpot.host']));
  });
});

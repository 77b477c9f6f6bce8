/**
 * The SmokeCheck construct (lib/smoke-check.ts) as a specification: what the PostSync hook Job in
 * dist/ looks like, where its targets come from, and how `smokeChecks` is configured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { loadDist } from '../lib/checks';
import { hookPhasesOf } from '../lib/checks/wiring-argo';
import { McpGateway, McpServerExposureProps } from '../lib/mcp-gateway';
import { NetworkIsolation } from '../lib/network-isolation';
import { applyDefaults } from '../lib/config/resolve';
import { SMOKE_CHECK_UID, SMOKE_SCRIPT_SOURCE, SmokeCheck } from '../lib/smoke-check';
import { expectIssue } from './support/config-issues';
import { appFolders, SMOKE_CHECKED_APPS } from './support/configured';
import { minimalEnv } from './support/environments';
import { container, find, objectsOf, podSpec } from './support/objects';
import { resolveRouting } from '../lib/routing/routing';

const ROOT = path.resolve(__dirname, '..');
const dist = loadDist(ROOT);
const smokeJobs = dist.objects.filter((o) => o.doc.kind === 'Job' && o.doc.metadata.labels?.['app.kubernetes.io/name'] === 'smoke-check');
const envOf = (job: any): Record<string, string> => Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
/** `[kind, name, url]` per line of SMOKE_TARGETS. */
const targetsOf = (job: any): string[][] => envOf(job).SMOKE_TARGETS.split('\n').map((l) => l.split(' '));

test('every app of every environment has one smoke check Job', () => {
  expect(smokeJobs.map((j) => `${j.env}/${j.app}/${j.doc.metadata.name}`).sort())
    .toEqual(appFolders((app, env) => env.smokeChecks.enabled && SMOKE_CHECKED_APPS.includes(app)).map((f) => `${f}/${f.split('/')[1]}-smoke-check`).sort());
});

describe.each(smokeJobs.map((j) => [`${j.env}/${j.app}`, j] as const))('the smoke check Job of %s', (_, job) => {
  const doc = job.doc;
  const env = envOf(doc);
  const configMap = dist.objects.find((o) => o.file === job.file && o.doc.kind === 'ConfigMap' && o.doc.metadata.name === doc.metadata.name);

  test('is an Argo CD PostSync hook, deleted before the next run and when it passed (a failed run stays)', () => {
    expect(doc.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PostSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
    });
  });

  test('runs once with no pod retry, a deadline covering every try of every check, and a TTL', () => {
    expect(doc.spec.backoffLimit).toBe(0);
    expect(doc.spec.template.spec.restartPolicy).toBe('Never');
    const attempts = Number(env.SMOKE_ATTEMPTS);
    const worst = targetsOf(doc).length * (attempts * Number(env.SMOKE_TIMEOUT_SECONDS) + (attempts - 1) * Number(env.SMOKE_RETRY_DELAY_SECONDS));
    expect(doc.spec.activeDeadlineSeconds).toBeGreaterThan(worst);
    expect(doc.spec.activeDeadlineSeconds).toBeLessThanOrEqual(worst + 120);
    expect(doc.spec.ttlSecondsAfterFinished).toBe(86400);
  });

  test('reads its script from a ConfigMap of the same app that is a normal resource, equal to ops/smoke/smoke.sh', () => {
    expect(configMap).toBeDefined();
    expect(hookPhasesOf(configMap!.doc)).toBeUndefined();
    expect(configMap!.doc.data['smoke.sh']).toBe(fs.readFileSync(SMOKE_SCRIPT_SOURCE, 'utf8'));
    const spec = doc.spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'script', configMap: { name: configMap!.doc.metadata.name } });
    expect(spec.containers[0].command).toEqual(['sh', '/opt/smoke-check/smoke.sh']);
  });

  test('runs as curl_user (UID 100) non-root, read-only root with an emptyDir /tmp, no token, with resources', () => {
    const spec = doc.spec.template.spec;
    const c = spec.containers[0];
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // OpenShift's restricted-v2 SCC assigns the UID; elsewhere the image's curl_user is set by number.
    expect(spec.securityContext.runAsUser).toBe(job.env === 'openshift' ? undefined : SMOKE_CHECK_UID);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } });
    expect(c.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });

  test('checks only in-cluster http URLs of its own namespace', () => {
    for (const [kind, name, url] of targetsOf(doc)) {
      expect(['http', 'mcp', 'mcp-auth', 'mcp-unauth']).toContain(kind);
      expect(name).toMatch(/^[a-z0-9-]+$/);
      expect(new URL(url).hostname).toMatch(new RegExp(`^[a-z0-9-]+\\.${doc.metadata.namespace}$`));
    }
  });
});

describe('targets', () => {
  const byEnvApp = (env: string, app: string) => smokeJobs.find((j) => j.env === env && j.app === app)!.doc;

  test('Penpot: the frontend, the backend through the frontend\'s /readyz, the exporter, and MCP direct and same-origin', () => {
    expect(targetsOf(find(objectsOf(minimalEnv({ penpot: { mcp: { enabled: true } } })), 'Job', 'penpot-smoke-check'))).toEqual([
      ['http', 'frontend', 'http://penpot-frontend.penpot:8080/'],
      ['http', 'backend-readyz', 'http://penpot-frontend.penpot:8080/readyz'],
      ['http', 'exporter-readyz', 'http://penpot-exporter.penpot:6061/readyz'],
      ['mcp', 'mcp-penpot-same-origin', 'http://penpot-frontend.penpot:8080/mcp/stream'],
      ['mcp', 'mcp-penpot', 'http://penpot-mcp.penpot:4401/mcp'],
    ]);
  });

  test('mcp-auth: both halves on the protected Kubernetes MCP server; a plain initialize on Llama Stack\'s in-cluster instance', () => {
    for (const env of ['homelab', 'k0s-dev']) {
      expect(targetsOf(byEnvApp(env, 'mcp'))).toEqual([['mcp-auth', 'mcp-kubernetes', 'http://kubernetes-mcp-server.mcp-system:8080/mcp']]);
    }
    expect(targetsOf(byEnvApp('example', 'mcp'))).toEqual([
      ['mcp-auth', 'mcp-kubernetes', 'http://kubernetes-mcp-server.mcp-system:8080/mcp'],
      ['mcp', 'mcp-kubernetes-llama-stack', 'http://kubernetes-mcp-server-llama-stack.mcp-system:8080/mcp'],
    ]);
  });

  test('the protected check runs with its own projected ServiceAccount token, and that account has no RBAC', () => {
    const objects = objectsOf(minimalEnv({ kubernetesMcp: { enabled: true, exposure: { type: 'NodePort', nodePort: 30808 } }, network: { mcpClientCidrs: ['10.8.0.0/24'] } }));
    const spec = find(objects, 'Job', 'mcp-smoke-check').spec.template.spec;
    expect(spec.serviceAccountName).toBe('mcp-smoke-check');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.volumes).toContainEqual({ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 600 } }] } });
    expect(spec.containers[0].env).toContainEqual({ name: 'SMOKE_BEARER_FILE', value: '/var/run/secrets/smoke-check/token' });
    expect(find(objects, 'ServiceAccount', 'mcp-smoke-check').automountServiceAccountToken).toBe(false);
    const bound = objects.filter((o: any) => /RoleBinding$/.test(o.kind))
      .filter((b: any) => (b.subjects ?? []).some((s: any) => s.name === 'mcp-smoke-check'));
    expect(bound).toEqual([]);
  });

  test('an in-namespace-only server (no exposure, no callers) keeps the plain initialize check', () => {
    const job = find(objectsOf(minimalEnv({ kubernetesMcp: { enabled: true } })), 'Job', 'mcp-smoke-check');
    expect(targetsOf(job)).toEqual([['mcp', 'mcp-kubernetes', 'http://kubernetes-mcp-server.mcp-system:8080/mcp']]);
    expect(job.spec.template.spec.serviceAccountName).toBeUndefined();
  });

  test('follow the configured port of the Kubernetes MCP server', () => {
    const job = find(objectsOf(minimalEnv({ kubernetesMcp: { enabled: true, port: 9090 } })), 'Job', 'mcp-smoke-check');
    expect(targetsOf(job)).toEqual([['mcp', 'mcp-kubernetes', 'http://kubernetes-mcp-server.mcp-system:9090/mcp']]);
  });

  test('Penpot without its MCP server has no MCP check', () => {
    const job = find(objectsOf(minimalEnv({ penpot: { mcp: { enabled: false } } })), 'Job', 'penpot-smoke-check');
    expect(targetsOf(job).map(([, name]) => name)).toEqual(['frontend', 'backend-readyz', 'exporter-readyz']);
  });

  test('mirrors rewrite the image like every other image', () => {
    const mirrored = minimalEnv({ kubernetesMcp: { enabled: true }, images: { mirrors: { 'docker.io': 'harbor.test.internal/dockerhub' } } });
    expect(container(find(objectsOf(mirrored), 'Job', 'mcp-smoke-check'), 'smoke-check').image).toBe('harbor.test.internal/dockerhub/curlimages/curl:8.12.1');
    expect(container(find(objectsOf(minimalEnv({ kubernetesMcp: { enabled: true } })), 'Job', 'mcp-smoke-check'), 'smoke-check').image).toBe('docker.io/curlimages/curl:8.12.1');
  });
});

describe('targets derived from the MCP endpoint records', () => {
  const server = (name: string, namespace = 'agents'): McpServerExposureProps => ({
    name,
    title: name,
    namespace,
    serviceName: `${name}-mcp`,
    identity: { name: `${name}-mcp`, instance: name, component: 'mcp-server', partOf: 'mcp' },
    ports: [{ name: 'http', port: 3000 }],
    mcpPortName: 'http',
    exposure: { type: 'ClusterIP' },
  });

  /** A chart with a gateway holding `names`, then a SmokeCheck over it; `late` servers are added after it. */
  function build(names: string[], late: string[] = []) {
    const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
    const network = new NetworkIsolation(chart, 'net', { namespace: 'agents', dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } });
    const gateway = new McpGateway(chart, 'gw', { routing: resolveRouting({ platform: 'kubernetes' }) });
    for (const n of names) gateway.expose(server(n));
    const env = applyDefaults(minimalEnv());
    const smoke = new SmokeCheck(chart, 'smoke', { app: 'agents', namespace: 'agents', config: env.smokeChecks, images: env.images, network, mcpEndpointsOf: chart });
    for (const n of late) gateway.expose(server(n));
    return { chart, smoke };
  }
  const jobTargets = (chart: Chart) => targetsOf(find(chart.toJson(), 'Job', 'agents-smoke-check'));

  test('one server gives one initialize on its in-cluster URL', () => {
    expect(jobTargets(build(['alpha']).chart)).toEqual([['mcp', 'mcp-alpha', 'http://alpha-mcp.agents:3000/mcp']]);
  });

  test('adding a server adds its check to the Job and its flow to the NetworkPolicies', () => {
    const { chart } = build(['alpha', 'beta']);
    expect(jobTargets(chart)).toEqual([
      ['mcp', 'mcp-alpha', 'http://alpha-mcp.agents:3000/mcp'],
      ['mcp', 'mcp-beta', 'http://beta-mcp.agents:3000/mcp'],
    ]);
    const objects = chart.toJson();
    const egressTo = find(objects, 'NetworkPolicy', 'agents-smoke-check').spec.egress.map((r: any) => r.to[0].podSelector.matchLabels['app.kubernetes.io/name']);
    expect(egressTo).toEqual(['alpha-mcp', 'beta-mcp']);
    const ingressFrom = find(objects, 'NetworkPolicy', 'beta-mcp').spec.ingress;
    expect(ingressFrom).toEqual([{
      from: [{
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'smoke-check', 'app.kubernetes.io/instance': 'agents-smoke-check', 'app.kubernetes.io/component': 'smoke-check' } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'agents' } },
      }],
      ports: [{ port: 'http', protocol: 'TCP' }],
    }]);
  });

  test('a server registered after the SmokeCheck fails construct validation, naming it', () => {
    const { smoke } = build(['alpha'], ['gamma']);
    expect(smoke.node.validate()).toEqual([expect.stringMatching(/MCP endpoint gamma \(gamma-mcp\) was registered after SmokeCheck agents-smoke-check/)]);
    expect(build(['alpha']).smoke.node.validate()).toEqual([]);
  });

  const withBearer = (name: string, bearer: McpServerExposureProps['bearer']): McpServerExposureProps => ({ ...server(name), bearer });
  const staticToken = (secret: string) => ({ mode: 'static-token' as const, secret: { name: secret, key: 'TOKEN' }, envVar: 'T', howToGetIt: 'kubectl' });
  function buildWith(servers: McpServerExposureProps[]) {
    const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
    const network = new NetworkIsolation(chart, 'net', { namespace: 'agents', dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } });
    const gateway = new McpGateway(chart, 'gw', { routing: resolveRouting({ platform: 'kubernetes' }) });
    for (const s of servers) gateway.expose(s);
    const env = applyDefaults(minimalEnv());
    new SmokeCheck(chart, 'smoke', { app: 'agents', namespace: 'agents', config: env.smokeChecks, images: env.images, network, mcpEndpointsOf: chart });
    return chart;
  }

  test('a static-token endpoint gets mcp-auth with only its Secret key mounted as the token file, and no ServiceAccount', () => {
    const job = find(buildWith([withBearer('alpha', staticToken('alpha-token'))]).toJson(), 'Job', 'agents-smoke-check');
    expect(targetsOf(job)).toEqual([['mcp-auth', 'mcp-alpha', 'http://alpha-mcp.agents:3000/mcp']]);
    const spec = podSpec(job);
    expect(spec.serviceAccountName).toBeUndefined();
    expect(spec.volumes.find((v: any) => v.name === 'token')).toEqual({ name: 'token', secret: { secretName: 'alpha-token', items: [{ key: 'TOKEN', path: 'token' }] } });
    const c = container(job, 'smoke-check');
    const mount = c.volumeMounts.find((m: any) => m.name === 'token');
    expect(mount.readOnly).toBe(true);
    expect(c.env.find((e: any) => e.name === 'SMOKE_BEARER_FILE').value).toBe(`${mount.mountPath}/token`);
  });

  test('two endpoints needing different tokens in one run are refused, naming both (the script reads one token file)', () => {
    expect(() => buildWith([withBearer('alpha', staticToken('alpha-token')), withBearer('beta', { mode: 'kubernetes-token', envVar: 'K', howToGetIt: 'npm run token' })]))
      .toThrow(/mcp-auth checks need different tokens \(mcp-alpha: secret\/alpha-token\/TOKEN; mcp-beta: service-account\)/);
  });

  test('static-token without its Secret is refused by the gateway', () => {
    expect(() => buildWith([withBearer('alpha', { mode: 'static-token', envVar: 'T', howToGetIt: 'x' })])).toThrow(/bearer.secret is required with mode static-token/);
  });

  test('an endpoint in another namespace is refused (its ingress half would have nowhere to go)', () => {
    const chart = new Chart(new App(), 'c');
    const network = new NetworkIsolation(chart, 'net', { namespace: 'agents', dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } });
    new McpGateway(chart, 'gw', { routing: resolveRouting({ platform: 'kubernetes' }) }).expose(server('far', 'elsewhere'));
    const env = applyDefaults(minimalEnv());
    expect(() => new SmokeCheck(chart, 'smoke', { app: 'agents', namespace: 'agents', config: env.smokeChecks, images: env.images, network, mcpEndpointsOf: chart }))
      .toThrow(/MCP endpoint far is in namespace elsewhere, not agents/);
  });
});

describe('smokeChecks configuration', () => {
  test('is on by default with the pinned curl image', () => {
    expect(applyDefaults(minimalEnv()).smokeChecks).toMatchObject({ enabled: true, image: 'docker.io/curlimages/curl:8.12.1' });
  });

  test('enabled: false drops the Jobs, their ConfigMaps and NetworkPolicies', () => {
    const objects = objectsOf(minimalEnv({ kubernetesMcp: { enabled: true }, smokeChecks: { enabled: false } }));
    expect(objects.filter((o) => /smoke-check/.test(o.metadata?.name ?? '')).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    const frontendPolicy = find(objects, 'NetworkPolicy', 'penpot-frontend');
    expect(JSON.stringify(frontendPolicy)).not.toMatch(/smoke-check/);
  });

  test('an unpinned image is refused, naming the field', () => {
    expectIssue([minimalEnv({ smokeChecks: { image: 'curlimages/curl:latest' } })], 'environments.test.smokeChecks.image', /moving tag "latest".*allowed: a pinned image/);
  });

  test('a request above its limit is refused, naming the field', () => {
    expectIssue([minimalEnv({ smokeChecks: { resources: { requests: { memory: '1Gi' } } } })], 'environments.test.smokeChecks.resources.requests.memory', /exceeds limit 64Mi/);
  });

  test('the image can be replaced, e.g. by a fork with sh and curl', () => {
    const job = find(objectsOf(minimalEnv({ smokeChecks: { image: 'registry.test.internal/tools/curl:8.12.1' } })), 'Job', 'penpot-smoke-check');
    expect(podSpec(job).containers[0].image).toBe('registry.test.internal/tools/curl:8.12.1');
  });
});

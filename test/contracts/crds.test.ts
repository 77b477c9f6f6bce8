import * as path from 'node:path';
import { formatFindings, loadDist, ManifestObject } from '../../lib/checks';
import { checkCrdDependencies } from '../../lib/checks/crd-dependencies';
import { minimalEnv } from '../support/environments';
import { synthesizedDist } from '../support/synthesized-dist';

const dist = loadDist(path.resolve(__dirname, '..', '..'));

describe('objects whose CRD may be missing', () => {
  test('in dist/ each is installed by its environment first, marked to skip the dry-run, or isolated in its own app', () => {
    expect(formatFindings(checkCrdDependencies(dist.objects))).toBe('');
  });
});

describe('the CRD dependency check', () => {
  const object = (app: string, apiVersion: string, kind: string, annotations?: Record<string, string>): ManifestObject => ({
    file: `dist/t/${app}/${app}.k8s.yaml`, env: 't', app,
    doc: { apiVersion, kind, metadata: { name: `${kind.toLowerCase()}-1`, namespace: 'ns', ...(annotations ? { annotations } : {}) }, spec: {} },
  });
  const application = (name: string, wave: number, source: Record<string, unknown>): ManifestObject => ({
    file: 'dist/t/apps/apps.k8s.yaml', env: 't', app: 'apps',
    doc: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } }, spec: { source } },
  });
  const service = (app: string) => object(app, 'v1', 'Service');

  test('an unmarked PrometheusRule beside a Deployment is reported with the CRD and the fix', () => {
    const findings = checkCrdDependencies([service('mcp'), object('mcp', 'monitoring.coreos.com/v1', 'PrometheusRule')]);
    expect(formatFindings(findings)).toMatch(/needs the CRD prometheusrules.monitoring.coreos.com .* the whole app 'mcp': mark it argocd.argoproj.io\/sync-options: SkipDryRunOnMissingResource=true or move it .*\[upstream\/crd-optional-kind-isolated\]/);
  });

  test('a marked one passes, also with other sync options', () => {
    const marked = object('mcp', 'kagent.dev/v1alpha2', 'RemoteMCPServer', { 'argocd.argoproj.io/sync-options': 'Prune=false,SkipDryRunOnMissingResource=true' });
    expect(checkCrdDependencies([service('mcp'), marked])).toEqual([]);
  });

  test('an app holding only such objects is isolated and passes', () => {
    expect(checkCrdDependencies([object('alerts', 'monitoring.coreos.com/v1', 'PrometheusRule')])).toEqual([]);
  });

  test('an MCPServer passes when the environment installs the kMCP CRDs chart in an earlier wave', () => {
    const objects = [application('t-kmcp-crds', -20, { chart: 'kmcp-crds' }), application('t-mcp-servers', 0, { path: 'dist/t/mcp-servers' }),
      service('mcp-servers'), object('mcp-servers', 'kagent.dev/v1alpha1', 'MCPServer')];
    expect(checkCrdDependencies(objects)).toEqual([]);
  });

  test('an MCPServer in an app synced in the same wave as the CRDs chart is reported', () => {
    const objects = [application('t-kmcp-crds', 0, { chart: 'kmcp-crds' }), application('t-mcp-servers', 0, { path: 'dist/t/mcp-servers' }),
      service('mcp-servers'), object('mcp-servers', 'kagent.dev/v1alpha1', 'MCPServer')];
    expect(formatFindings(checkCrdDependencies(objects))).toMatch(/installed by t-kmcp-crds \(wave 0\), but its app t-mcp-servers has wave 0: it must come later \[upstream\/crd-installed-before-use\]/);
  });

  test('an MCPServer without the CRDs chart (kMCP installed elsewhere) must be marked', () => {
    const findings = checkCrdDependencies([service('mcp-servers'), object('mcp-servers', 'kagent.dev/v1alpha1', 'MCPServer')]);
    expect(formatFindings(findings)).toMatch(/mcpservers.kagent.dev/);
  });

  test('Argo CD Applications and OpenShift Routes are APIs of the platform, not optional', () => {
    expect(checkCrdDependencies([service('penpot'), object('penpot', 'route.openshift.io/v1', 'Route')])).toEqual([]);
  });

  test('an unknown custom kind is treated as optional', () => {
    expect(formatFindings(checkCrdDependencies([service('x'), object('x', 'example.io/v1', 'Widget')]))).toMatch(/widgets.example.io/);
  });
});

describe('marking at synth', () => {
  const server = { name: 'fs', transport: 'stdio', image: 'docker.io/library/node:22.11.0-alpine', cmd: 'npx', egress: { cidrs: ['0.0.0.0/0'], ports: [443] } };
  const mcpServers = (install: boolean) => synthesizedDist(minimalEnv({ penpot: { enabled: false }, kmcp: { enabled: true, controller: { install }, servers: [server] } } as any))
    .dist.objects.filter((o) => o.doc.kind === 'MCPServer');

  test('MCPServers are not marked when the environment installs the kMCP CRDs chart', () => {
    expect(mcpServers(true).map((o) => o.doc.metadata.annotations?.['argocd.argoproj.io/sync-options'])).toEqual([undefined]);
  });

  test('they are marked when kMCP is installed elsewhere (kmcp.controller.install: false)', () => {
    expect(mcpServers(false).map((o) => o.doc.metadata.annotations?.['argocd.argoproj.io/sync-options'])).toEqual(['SkipDryRunOnMissingResource=true']);
  });
});

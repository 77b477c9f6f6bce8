import * as path from 'node:path';
import { formatFindings, loadDist } from '../../lib/checks';
import { checkImageUses, imageInventory, kmcpAdapterImage } from '../../lib/checks/image-inventory';
import { resolveEnvironments } from '../../lib/config/resolve';
import { ENVIRONMENTS } from '../../lib/environments';

const dist = loadDist(path.resolve(__dirname, '..', '..'));
const envs = resolveEnvironments(ENVIRONMENTS);

describe.each(envs.map((e) => [e.name, e] as const))('every image environment %s will run', (name, env) => {
  const objects = dist.objects.filter((o) => o.env === name);
  const { uses, findings } = imageInventory(objects);

  test('is known: every chart it installs has a model of the images it runs', () => {
    expect(formatFindings(findings)).toBe('');
    expect(uses.length).toBeGreaterThan(0);
  });

  test('goes through the configured mirror and is pinned', () => {
    expect(formatFindings(checkImageUses(uses, env.images.mirrors))).toBe('');
  });
});

describe('the image inventory', () => {
  const mcpServer = (deployment: Record<string, unknown>, transportType = 'stdio') => ({
    file: 'dist/t/mcp-servers/x.yaml', env: 't', app: 'mcp-servers',
    doc: { apiVersion: 'kagent.dev/v1alpha1', kind: 'MCPServer', metadata: { name: 'fs', namespace: 'mcp-servers' }, spec: { transportType, deployment } },
  });
  const kmcpApp = (values?: Record<string, unknown>) => ({
    file: 'dist/t/apps/apps.k8s.yaml', env: 't', app: 'apps',
    doc: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 't-kmcp', namespace: 'argocd' },
      spec: { source: { chart: 'kmcp', repoURL: 'ghcr.io/kagent-dev/kmcp/helm', targetRevision: '0.3.0', ...(values ? { helm: { valuesObject: values } } : {}) } } },
  });
  const mirrors = { 'ghcr.io': 'harbor.test.internal/ghcr', 'docker.io': 'harbor.test.internal/dockerhub' };

  test('a stdio MCPServer without initContainer.image runs the adapter kMCP 0.3.0 pins, which bypasses the mirror', () => {
    const { uses } = imageInventory([mcpServer({ image: 'harbor.test.internal/dockerhub/library/node:22.11.0-alpine' })]);
    expect(uses.map((u) => u.image)).toEqual(['harbor.test.internal/dockerhub/library/node:22.11.0-alpine', 'ghcr.io/agentgateway/agentgateway:0.9.0-musl']);
    expect(formatFindings(checkImageUses(uses, mirrors))).toMatch(/transport adapter init container\): image ghcr.io\/agentgateway\/agentgateway:0.9.0-musl \(chosen by the controller\) is pulled from ghcr.io, bypassing its mirror harbor.test.internal\/ghcr \[upstream\/image-mirrored\]/);
  });

  test('an http MCPServer has no adapter init container', () => {
    const { uses } = imageInventory([mcpServer({ image: 'docker.io/library/node:22.11.0-alpine' }, 'http')]);
    expect(uses.map((u) => u.usedBy)).toEqual(['MCPServer mcp-servers/fs (server container)']);
  });

  test('the kMCP chart without image values runs ghcr.io/kagent-dev/kmcp/controller at the chart version', () => {
    const { uses } = imageInventory([kmcpApp()]);
    expect(uses.map((u) => u.image)).toEqual(['ghcr.io/kagent-dev/kmcp/controller:0.3.0']);
    expect(formatFindings(checkImageUses(uses, mirrors))).toMatch(/chosen by the chart\) is pulled from ghcr.io, bypassing its mirror/);
  });

  test('the kMCP chart with image.repository and image.tag runs exactly that', () => {
    const { uses } = imageInventory([kmcpApp({ image: { repository: 'harbor.test.internal/ghcr/kagent-dev/kmcp/controller', tag: '0.3.0' } })]);
    expect(uses.map((u) => u.image)).toEqual(['harbor.test.internal/ghcr/kagent-dev/kmcp/controller:0.3.0']);
    expect(checkImageUses(uses, mirrors)).toEqual([]);
  });

  test('a chart whose images are not modelled is a finding', () => {
    const app = kmcpApp();
    const other = { ...app, doc: { ...app.doc, spec: { source: { ...app.doc.spec.source, chart: 'something-else' } } } };
    expect(formatFindings(imageInventory([other]).findings)).toMatch(/chart 'something-else', whose images are not modelled .*\[upstream\/image-chart-modelled\]/);
  });

  test('an unpinned image is a finding even without mirrors', () => {
    const { uses } = imageInventory([mcpServer({ image: 'docker.io/library/node:latest', initContainer: { image: 'ghcr.io/agentgateway/agentgateway:0.9.0-musl' } })]);
    expect(formatFindings(checkImageUses(uses, {}))).toMatch(/node:latest uses the moving tag "latest" \[upstream\/image-pinned\]/);
  });

  test('the adapter version is known only for modelled kMCP releases', () => {
    expect(kmcpAdapterImage('0.3.0')).toBe('ghcr.io/agentgateway/agentgateway:0.9.0-musl');
    expect(() => kmcpAdapterImage('9.9.9')).toThrow(/not modelled/);
  });
});

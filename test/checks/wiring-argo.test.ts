import { checkAppNamespaces, checkAppPathsExist } from '../../lib/checks/wiring';
import { APPS_FILE, distOf, edit, mo, penpotObjects } from './fixtures';

const app = (objects = penpotObjects()) => distOf(objects);

describe('wiring/app-path-exists', () => {
  it('passes when the source path is a synthesized directory', () => {
    expect(checkAppPathsExist(app())).toEqual([]);
  });

  it('reports a source path and a sources[].path that do not exist', () => {
    const objects = edit(penpotObjects(), 'Application', 'penpot', (d) => {
      d.spec.source.path = 'dist/homelab/penpot';
      d.spec.sources = [
        { repoURL: 'ghcr.io/kagent-dev/kmcp/helm', chart: 'kmcp', targetRevision: '0.3.0' },
        { repoURL: 'https://git.example.com/platform.git', path: './dist/test/penpot/' },
        { repoURL: 'https://git.example.com/platform.git', path: 'dist/test/mcp' },
      ];
    });
    expect(checkAppPathsExist(app(objects)).map((f) => [f.check, f.object, f.field])).toEqual([
      ['wiring/app-path-exists', 'Application argocd/penpot', 'spec.source.path'],
      ['wiring/app-path-exists', 'Application argocd/penpot', 'spec.sources[2].path'],
    ]);
  });
});

describe('wiring/app-namespace-match', () => {
  it('passes when every namespaced object in the path uses the destination namespace', () => {
    expect(checkAppNamespaces(app())).toEqual([]);
  });

  it('reports an object in another namespace, naming the Application', () => {
    const objects = edit(penpotObjects(), 'ServiceAccount', 'penpot', (d) => { d.metadata.namespace = 'default'; });
    const findings = checkAppNamespaces(app(objects));
    expect(findings).toEqual([expect.objectContaining({
      check: 'wiring/app-namespace-match', object: 'ServiceAccount default/penpot', field: 'metadata.namespace',
    })]);
    expect(findings[0].message).toMatch(/Application argocd\/penpot/);
  });

  it('reports a namespaced object without metadata.namespace', () => {
    const objects = edit(penpotObjects(), 'ServiceAccount', 'penpot', (d) => { delete d.metadata.namespace; });
    expect(checkAppNamespaces(app(objects)).map((f) => [f.object, f.field])).toEqual([['ServiceAccount penpot', 'metadata.namespace']]);
  });

  it('reads only top-level files unless directory.recurse is set', () => {
    const nested = mo({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'elsewhere' } }, `dist/test/penpot/extra/c.yaml`);
    expect(checkAppNamespaces(app([...penpotObjects(), nested]))).toEqual([]);
    const recursive = edit([...penpotObjects(), nested], 'Application', 'penpot', (d) => { d.spec.source.directory = { recurse: true }; });
    expect(checkAppNamespaces(app(recursive)).map((f) => f.object)).toEqual(['ConfigMap elsewhere/c']);
  });

  it('does not apply to objects of other directories', () => {
    const other = mo({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'argocd' } }, APPS_FILE);
    expect(checkAppNamespaces(app([...penpotObjects(), other]))).toEqual([]);
  });
});

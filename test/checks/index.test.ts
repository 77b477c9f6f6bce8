import { CHECK_IDS, formatFindings, runAllChecks } from '../../lib/checks';
import { distOf, mo, penpotDist } from './fixtures';

describe('runAllChecks', () => {
  it('reports nothing for the minimal valid Penpot install', () => {
    expect(formatFindings(runAllChecks(penpotDist()))).toBe('');
  });

  it('never throws on documents of the wrong shape', () => {
    const garbage = [
      'text', 42, [1, 2], { kind: 'Deployment' }, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: 'x', spec: [] },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: 'x', ports: 'y' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { 'app.kubernetes.io/name': 'penpot', 'app.kubernetes.io/component': 'backend' } },
        spec: { template: { spec: { containers: [null, { env: 'x', ports: [null], volumeMounts: {} }], volumes: 3 } } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ http: { paths: [{ backend: 1 }] } }], tls: 'x' } },
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec: { sources: 'x', source: [] } },
    ].map((d) => mo(d));
    expect(() => runAllChecks(distOf(garbage))).not.toThrow();
    expect(runAllChecks(distOf(garbage)).length).toBeGreaterThan(0);
  });
});

describe('CHECK_IDS', () => {
  it('lists every id once, each as group/name', () => {
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
    for (const id of CHECK_IDS) expect(id).toMatch(/^(schema|wiring|penpot|upstream|llama-stack|state)\/[a-z0-9-]+$/);
  });
});

describe('formatFindings', () => {
  it('prints one line per finding with file, object, field, message and id', () => {
    const text = formatFindings([
      { check: 'wiring/x', object: 'Service ns/a', field: 'spec.ports[0]', message: 'broken', file: 'dist/e/app/a.yaml' },
      { check: 'schema/y', object: 'Namespace ns', message: 'bad' },
    ]);
    expect(text).toBe('dist/e/app/a.yaml: Service ns/a spec.ports[0]: broken [wiring/x]\nNamespace ns: bad [schema/y]');
  });
});
